using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>The zoo's ResNet is TorchSharp's, rebuilt so that each block's last ReLU is a module.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class ResNetNetworkTests
{
    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void Rebuilt_from_TorchSharps_ResNet_it_has_the_same_state_dict_and_computes_the_same_logits(string name)
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var original = name == "resnet18" ? torchvision.models.resnet18(num_classes: 10) : torchvision.models.resnet50(num_classes: 10);
        original.eval();
        var pixels = rand(2, 3, 64, 64, generator: new Generator(3));
        var keys = original.state_dict().Keys.ToList();
        Tensor expected;
        using (no_grad()) expected = original.call(pixels);

        var rebuilt = new ResNetNetwork(original);
        rebuilt.eval();

        // Same keys in the same order as TorchSharp's: every checkpoint that fits TorchSharp's ResNet fits this one.
        Assert.Equal(keys, rebuilt.state_dict().Keys.ToList());
        Tensor actual;
        using (no_grad()) actual = rebuilt.call(pixels);
        Assert.True(actual.eq(expected).all().item<bool>(), $"{name}: the rebuilt network's logits differ from TorchSharp's");
        // Each block's new ReLU is a module (no parameters), where TorchSharp's forward called relu_() on a tensor.
        var relus = rebuilt.named_modules().Where(m => m.module is ResidualBlock).Select(m => m.name + ".relu").ToHashSet();
        Assert.Equal(relus.Count, rebuilt.named_modules().Count(m => relus.Contains(m.name) && m.module is TorchSharp.Modules.ReLU));
        Assert.Equal(name == "resnet18" ? 8 : 16, relus.Count);
    }
}
