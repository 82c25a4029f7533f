using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class InceptionMergingTests
{
    /// <summary>GoogLeNet with random weights and batch-norm statistics, folded (merging needs the folded layout).</summary>
    private static IAtlasModel Build(bool channelsLast)
    {
        var model = WorkingCopyNetworks.Build("googlenet", seed: 33, channelsLast);
        model.FoldBatchNorm();
        return model;
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what) =>
        WorkingCopyNetworks.AssertClose(expected, actual, tolerance, what);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_merged_googlenet_computes_the_same_activations_pre_activations_and_input_gradients(bool channelsLast)
    {
        using var separate = Build(channelsLast);
        using var merged = Build(channelsLast);
        int convolutions = merged.Network.named_modules().Count(m => m.module is TorchSharp.Modules.Conv2d);
        Assert.Equal(9, merged.MergeBranchConvolutions());
        Assert.Equal(0, merged.MergeBranchConvolutions()); // nothing left to merge
        // Each block's three 1×1 convolutions became one.
        Assert.Equal(convolutions - 2 * 9, merged.Network.named_modules().Count(m => m.module is TorchSharp.Modules.Conv2d));
        Assert.All(merged.Network.named_modules().Where(m => m.name.StartsWith("inception", StringComparison.Ordinal) && !m.name.Contains('.')),
            m => Assert.IsType<MergedInception>(m.module));
        Assert.Equal(channelsLast, ChannelsLast.Uses(merged.Network));

        using var scope = NewDisposeScope();
        var pixels = rand(2, 3, 64, 64);
        var layers = separate.LayerNames.Where(l => l != "logits").ToList();
        foreach (bool pre in new[] { false, true })
        {
            var expected = separate.Activations(pixels, layers, pre);
            var actual = merged.Activations(pixels, layers, pre);
            foreach (var layer in layers)
            {
                AssertClose(expected[layer], actual[layer], 1e-4, $"{layer} (pre-activation: {pre})");
                if (channelsLast && layer.StartsWith("inception", StringComparison.Ordinal) && !pre)
                    Assert.True(ChannelsLast.IsChannelsLast(actual[layer]), $"{layer} left channels-last");
            }
        }
        AssertClose(separate.Logits(pixels), merged.Logits(pixels), 1e-4, "logits");

        Tensor InputGradient(IAtlasModel model, string layer, int channel)
        {
            var input = pixels.clone().requires_grad_(true);
            model.Activations(input, [layer], preActivation: true)[layer].select(1, channel).sum().backward();
            return input.grad!;
        }
        // Channel 3 is in the 1×1 branch; the others come from the 3×3 branches fed by the merged reductions.
        foreach (var (layer, channel) in new[] { ("inception3a", 3), ("inception3a", 100), ("inception4a", 250), ("inception5b", 400) })
            AssertClose(InputGradient(separate, layer, channel), InputGradient(merged, layer, channel), 1e-3, $"input gradient of {layer}:{channel}");
    }

    [Fact]
    public void Blocks_whose_batch_norms_are_not_folded_stay_as_they_are()
    {
        TorchRuntime.Initialize();
        var zoo = ModelZoo.Get("googlenet");
        using var model = zoo.WrapNetwork(zoo.Create(new ZooBuildOptions(zoo.DefaultClasses, TransformInput: false)), zoo.InputFor(64), []);
        Assert.Equal(0, model.MergeBranchConvolutions());
        Assert.DoesNotContain(model.Network.named_modules(), m => m.module is MergedInception);
    }

    [Fact]
    public void Models_without_inception_blocks_have_nothing_to_merge()
    {
        TorchRuntime.Initialize();
        var zoo = ModelZoo.Get("resnet18");
        using var model = zoo.WrapNetwork(zoo.Create(new ZooBuildOptions(zoo.DefaultClasses, TransformInput: false)), zoo.InputFor(64), []);
        model.FoldBatchNorm();
        Assert.Equal(0, model.MergeBranchConvolutions());
        using var demo = Rendering.TestModels.RandomDemo();
        Assert.Equal(0, ((IAtlasModel)demo).MergeBranchConvolutions());
    }

    [Fact]
    public void The_setting_merges_on_a_GPU_by_default_and_refuses_unknown_values_by_key()
    {
        var cuda = new Device(TorchSharp.DeviceType.CUDA, 0);
        Assert.False(InceptionMerging.For("auto", CPU, ScalarType.BFloat16));
        Assert.True(InceptionMerging.For("auto", cuda, ScalarType.BFloat16));
        Assert.False(InceptionMerging.For("auto", cuda, ScalarType.Float32));
        Assert.True(InceptionMerging.For("merged", CPU, ScalarType.Float32));
        Assert.False(InceptionMerging.For("separate", cuda, ScalarType.BFloat16));
        Assert.Contains("model.branchConvolutions: 'fused'", Assert.Throws<AtlasInputException>(() => InceptionMerging.For("fused", CPU, ScalarType.Float32)).Message);
    }

    [Fact]
    public void In_bfloat16_channels_last_the_gpu_default_the_merged_copy_agrees_within_bfloat16_rounding()
    {
        using var separate = Build(channelsLast: true);
        using var merged = Build(channelsLast: true);
        separate.ConvertTo(ScalarType.BFloat16);
        merged.ConvertTo(ScalarType.BFloat16);
        Assert.Equal(9, merged.MergeBranchConvolutions());
        WorkingCopyNetworks.AssertAgreeInBFloat16(separate, merged, ["inception3a", "inception4a"]);
    }
}
