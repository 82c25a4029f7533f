using TorchSharp;
using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class InputConvolutionTests
{
    private static IAtlasModel Build(string architecture, bool channelsLast) =>
        WorkingCopyNetworks.Build(architecture, seed: 44, channelsLast, randomBatchNorms: false);

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what) =>
        WorkingCopyNetworks.AssertClose(expected, actual, tolerance, what);

    [Theory]
    [InlineData("googlenet", true)]   // conv1 inside a Sequential
    [InlineData("googlenet", false)]
    [InlineData("resnet18", true)]    // conv1 in a field of the network
    [InlineData("alexnet", true)]     // 11×11, stride 4
    [InlineData("mobilenetv2", true)] // 3×3, stride 2, in nested Sequentials
    public void An_unfolded_input_convolution_computes_the_same_activations_and_input_gradients(string architecture, bool channelsLast)
    {
        using var native = Build(architecture, channelsLast);
        using var unfolded = Build(architecture, channelsLast);
        Assert.Equal(1, unfolded.UnfoldInputConvolutions());
        Assert.Equal(0, unfolded.UnfoldInputConvolutions()); // the rest read more than an image's channels
        Assert.Single(unfolded.Network.named_modules(), m => m.module is UnfoldedConv2d);
        Assert.DoesNotContain(unfolded.Network.named_modules(), m => m.module is Conv2d { in_channels: <= InputConvolution.MostInputChannels });

        using var scope = NewDisposeScope();
        var pixels = rand(2, 3, 64, 64);
        var layers = native.LayerNames.Where(l => l != "logits").ToList();
        foreach (bool pre in new[] { false, true })
        {
            var expected = native.Activations(pixels, layers, pre);
            var actual = unfolded.Activations(pixels, layers, pre);
            foreach (var layer in layers)
            {
                AssertClose(expected[layer], actual[layer], 1e-4, $"{architecture} {layer} (pre-activation: {pre})");
                if (channelsLast && expected[layer].dim() == 4)
                    Assert.Equal(ChannelsLast.IsChannelsLast(expected[layer]), ChannelsLast.IsChannelsLast(actual[layer]));
            }
        }
        AssertClose(native.Logits(pixels), unfolded.Logits(pixels), 1e-4, $"{architecture} logits");

        Tensor InputGradient(IAtlasModel model)
        {
            var input = pixels.clone().requires_grad_(true);
            model.Activations(input, [layers[0]], preActivation: true)[layers[0]].select(1, 1).sum().backward();
            return input.grad!;
        }
        AssertClose(InputGradient(native), InputGradient(unfolded), 1e-4, $"{architecture} input gradient");
    }

    [Fact]
    public void A_batch_too_large_for_one_unfolding_is_unfolded_in_slices_with_the_same_result()
    {
        TorchRuntime.Initialize();
        random.manual_seed(5);
        using var conv = nn.Conv2d(3, 8, 7, stride: 2, padding: 3);
        using var scope = NewDisposeScope();
        var images = rand(5, 3, 20, 20).requires_grad_(true);
        // Columns of one image: 3·7·7 × 10·10 floats; the limit holds two images, so 5 images take 3 slices.
        using var sliced = new UnfoldedConv2d(conv, mostColumnBytes: 2 * 147 * 100 * 4);
        var expected = conv.call(images);
        var actual = sliced.call(images);
        AssertClose(expected, actual, 1e-5, "sliced output");
        var wanted = torch.autograd.grad([expected.sum()], [images])[0];
        var got = torch.autograd.grad([actual.sum()], [images])[0];
        AssertClose(wanted, got, 1e-5, "sliced input gradient");
    }

    [Fact]
    public void The_setting_unfolds_on_a_GPU_in_bfloat16_by_default_and_refuses_unknown_values_by_key()
    {
        var cuda = new Device(TorchSharp.DeviceType.CUDA, 0);
        Assert.False(InputConvolution.For("auto", CPU, ScalarType.BFloat16));
        Assert.True(InputConvolution.For("auto", cuda, ScalarType.BFloat16));
        Assert.False(InputConvolution.For("auto", cuda, ScalarType.Float32));
        Assert.True(InputConvolution.For("unfold", CPU, ScalarType.Float32));
        Assert.False(InputConvolution.For("native", cuda, ScalarType.BFloat16));
        Assert.Contains("model.inputConvolution: 'im2col'", Assert.Throws<AtlasInputException>(() => InputConvolution.For("im2col", CPU, ScalarType.Float32)).Message);
    }

    [Fact]
    public void In_bfloat16_channels_last_the_gpu_default_the_unfolded_copy_agrees_within_bfloat16_rounding()
    {
        using var native = Build("googlenet", channelsLast: true);
        using var unfolded = Build("googlenet", channelsLast: true);
        native.ConvertTo(ScalarType.BFloat16);
        unfolded.ConvertTo(ScalarType.BFloat16);
        Assert.Equal(1, unfolded.UnfoldInputConvolutions());
        WorkingCopyNetworks.AssertAgreeInBFloat16(native, unfolded, ["conv1", "inception3a"]);
    }
}
