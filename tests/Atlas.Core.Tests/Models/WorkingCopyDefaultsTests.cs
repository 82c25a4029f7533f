using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

public class WorkingCopyDefaultsTests
{
    [Fact]
    public void On_a_GPU_auto_turns_on_every_rewrite_and_the_dataset_pass_computes_in_float16_without_the_gradient_rewrite()
    {
        var cuda = new Device(TorchSharp.DeviceType.CUDA, 0);
        Assert.Equal("bfloat16, channels-last, batch norms folded, scatter max-pool backward, Inception 1×1 convolutions merged, input convolution as space to depth",
            WorkingCopyDefaults.Rendering(cuda));
        // float16 merges the Inception blocks' 1×1 convolutions as bfloat16 does, and a pass without gradients has no
        // use for the scatter backward.
        Assert.Equal("float16, channels-last, batch norms folded, Inception 1×1 convolutions merged, input convolution as space to depth",
            WorkingCopyDefaults.DatasetPass(cuda));
    }

    [Fact]
    public void On_the_CPU_auto_keeps_the_measured_CPU_choices()
    {
        Assert.Equal("float32, channels-last, batch norms folded", WorkingCopyDefaults.Rendering(CPU));
        Assert.Equal("float32, channels-last, batch norms folded", WorkingCopyDefaults.DatasetPass(CPU));
    }
}
