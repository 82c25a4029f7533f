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
    [InlineData("mobilenet_v3_small", true)] // the same, then a Hardswish
    public void An_input_convolution_as_space_to_depth_computes_the_same_activations_and_input_gradients(string architecture, bool channelsLast)
    {
        using var native = Build(architecture, channelsLast);
        using var rearranged = Build(architecture, channelsLast);
        Assert.Equal(1, rearranged.SpaceToDepthInputConvolutions());
        Assert.Equal(0, rearranged.SpaceToDepthInputConvolutions()); // the rest read more than an image's channels
        Assert.Single(rearranged.Network.named_modules(), m => m.module is SpaceToDepthConv2d);
        Assert.DoesNotContain(rearranged.Network.named_modules(), m => m.module is Conv2d { in_channels: <= InputConvolution.MostInputChannels });

        using var scope = NewDisposeScope();
        var pixels = rand(2, 3, 64, 64);
        var layers = native.LayerNames.Where(l => l != "logits").ToList();
        foreach (bool pre in new[] { false, true })
        {
            var expected = native.Activations(pixels, layers, pre);
            var actual = rearranged.Activations(pixels, layers, pre);
            foreach (var layer in layers)
            {
                AssertClose(expected[layer], actual[layer], 1e-4, $"{architecture} {layer} (pre-activation: {pre})");
                if (channelsLast && expected[layer].dim() == 4)
                    Assert.Equal(ChannelsLast.IsChannelsLast(expected[layer]), ChannelsLast.IsChannelsLast(actual[layer]));
            }
        }
        AssertClose(native.Logits(pixels), rearranged.Logits(pixels), 1e-4, $"{architecture} logits");

        Tensor InputGradient(IAtlasModel model)
        {
            var input = pixels.clone().requires_grad_(true);
            model.Activations(input, [layers[0]], preActivation: true)[layers[0]].select(1, 1).sum().backward();
            return input.grad!;
        }
        AssertClose(InputGradient(native), InputGradient(rearranged), 1e-4, $"{architecture} input gradient");
    }

    [Theory]
    [InlineData(20, 20, 7, 2, 3, 3)]  // GoogLeNet's and ResNet's conv1
    [InlineData(21, 19, 7, 2, 3, 1)]  // odd sizes, grey
    [InlineData(23, 23, 11, 4, 2, 3)] // AlexNet's, whose last rows are cut rather than padded
    [InlineData(18, 17, 3, 2, 1, 4)]  // MobileNetV2's, four channels
    [InlineData(17, 17, 5, 3, 0, 2)]  // no padding, stride 3
    public void Space_to_depth_matches_the_strided_convolution_for_any_size_kernel_and_channel_count(int height, int width, int kernel, int stride, int padding, int channels)
    {
        TorchRuntime.Initialize();
        random.manual_seed(5);
        using var conv = nn.Conv2d(channels, 8, kernel, stride: stride, padding: padding);
        using var scope = NewDisposeScope();
        var images = rand(2, channels, height, width).requires_grad_(true);
        using var rearranged = new SpaceToDepthConv2d(conv);
        var expected = conv.call(images);
        var actual = rearranged.call(images);
        Assert.Equal(expected.shape, actual.shape);
        AssertClose(expected, actual, 1e-5, "output");
        var wanted = torch.autograd.grad([expected.sum()], [images])[0];
        var got = torch.autograd.grad([actual.sum()], [images])[0];
        AssertClose(wanted, got, 1e-5, "input gradient");
    }

    [Theory]
    [InlineData(3, 2, 4)]  // 16 channels after the blocks
    [InlineData(1, 2, 2)]  // 8
    [InlineData(3, 4, 3)]  // 48 are already a multiple of 8
    [InlineData(4, 2, 4)]
    public void Input_channels_are_padded_until_the_blocks_fill_whole_groups_of_eight(long channels, long stride, long expected) =>
        Assert.Equal(expected, SpaceToDepthConv2d.AlignedChannels(channels, stride));

    [Fact]
    public void The_setting_rearranges_on_a_GPU_by_default_and_refuses_unknown_values_by_key()
    {
        var cuda = new Device(TorchSharp.DeviceType.CUDA, 0);
        Assert.False(InputConvolution.For("auto", CPU, ScalarType.BFloat16));
        Assert.True(InputConvolution.For("auto", cuda, ScalarType.BFloat16));
        Assert.True(InputConvolution.For("auto", cuda, ScalarType.Float32));
        Assert.False(InputConvolution.For("auto", CPU, ScalarType.Float32));
        Assert.True(InputConvolution.For("spaceToDepth", CPU, ScalarType.Float32));
        Assert.False(InputConvolution.For("native", cuda, ScalarType.BFloat16));
        Assert.Contains("model.inputConvolution: 'im2col'", Assert.Throws<AtlasInputException>(() => InputConvolution.For("im2col", CPU, ScalarType.Float32)).Message);
    }

    [Fact]
    public void In_bfloat16_channels_last_the_gpu_default_the_space_to_depth_copy_agrees_within_bfloat16_rounding()
    {
        using var native = Build("googlenet", channelsLast: true);
        using var rearranged = Build("googlenet", channelsLast: true);
        native.ConvertTo(ScalarType.BFloat16);
        rearranged.ConvertTo(ScalarType.BFloat16);
        Assert.Equal(1, rearranged.SpaceToDepthInputConvolutions());
        WorkingCopyNetworks.AssertAgreeInBFloat16(native, rearranged, ["conv1", "inception3a"]);
    }
}
