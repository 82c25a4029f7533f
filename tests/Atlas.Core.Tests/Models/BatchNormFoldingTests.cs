using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class BatchNormFoldingTests
{
    private static IAtlasModel Build(string architecture, bool channelsLast) => WorkingCopyNetworks.Build(architecture, seed: 21, channelsLast);

    [Theory]
    [InlineData("googlenet", 57, true)]
    [InlineData("googlenet", 57, false)]
    [InlineData("mobilenetv2", 52, true)]
    [InlineData("mobilenet_v3_small", 34, true)] // batch norms with eps 0.001, squeeze-and-excitation between some pairs' blocks
    [InlineData("resnet18", 20, true)] // the stem, two per block and the downsample branches (these inside a Sequential)
    [InlineData("resnet50", 53, false)] // the stem, three per bottleneck and four downsample branches
    [InlineData("resnext50_32x4d", 53, true)] // as ResNet-50, with grouped 3×3 convolutions
    public void A_folded_network_computes_the_same_activations_pre_activations_and_input_gradients(string architecture, int batchNorms, bool channelsLast)
    {
        using var original = Build(architecture, channelsLast);
        using var folded = Build(architecture, channelsLast);
        Assert.True(BatchNormFolding.HasFoldable(folded.Network));
        Assert.Equal(batchNorms, folded.FoldBatchNorm());
        Assert.Equal(0, folded.FoldBatchNorm()); // nothing left to fold
        Assert.False(BatchNormFolding.HasFoldable(folded.Network));
        Assert.Equal(channelsLast, ChannelsLast.Uses(folded.Network));

        using var scope = NewDisposeScope();
        // A fixed input, not the shared generator's next draw: folding reorders float32 arithmetic, and on about a
        // quarter of random inputs some deep pre-activation within rounding of 0 then lands on the other side of its
        // ReLU (or a max-pool's maximum changes places), which moves part of the input gradient (measured for ResNet-50:
        // max difference 1e-6 of the largest gradient on most inputs, 5e-3 to 2e-2 on those). The activations check
        // above holds on any input; the gradient check needs one without such near-ties, as this one is (every network
        // here within 2e-6 of its largest gradient; seeds 13, 42, 2024 and 20261128 are not).
        using var generator = new Generator(11);
        var pixels = rand([2, 3, 64, 64], generator: generator);
        var layers = original.LayerNames.Where(l => l != "logits").ToList();
        foreach (bool pre in new[] { false, true })
        {
            var expected = original.Activations(pixels, layers, pre);
            var actual = folded.Activations(pixels, layers, pre);
            foreach (var layer in layers)
            {
                double scale = expected[layer].abs().max().item<float>();
                double error = (expected[layer] - actual[layer]).abs().max().item<float>();
                Assert.True(error <= 1e-4 * Math.Max(scale, 1), $"{architecture} {layer} (pre-activation: {pre}): differs by {error:G3} at scale {scale:G3}");
            }
        }

        Tensor InputGradient(IAtlasModel model, string layer)
        {
            var input = pixels.clone().requires_grad_(true);
            model.Activations(input, [layer], preActivation: true)[layer].select(1, 3).sum().backward();
            return input.grad!;
        }
        var deepest = layers[^1];
        var want = InputGradient(original, deepest);
        var got = InputGradient(folded, deepest);
        double gradientScale = want.abs().max().item<float>();
        double gradientError = (want - got).abs().max().item<float>();
        Assert.True(gradientError <= 1e-3 * gradientScale, $"{architecture}: input gradients differ by {gradientError:G3} at scale {gradientScale:G3}");
    }

    [Fact]
    public void A_network_without_batch_norms_has_nothing_to_fold()
    {
        using var demo = Rendering.TestModels.RandomDemo();
        Assert.False(BatchNormFolding.HasFoldable(demo.Network));
        Assert.Equal(0, ((IAtlasModel)demo).FoldBatchNorm());
    }
}
