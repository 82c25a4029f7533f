using Atlas.Core.Models;
using Atlas.Core.Tests.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class ChannelsLastTests
{
    [Fact]
    public void Converting_the_demo_network_keeps_every_activation_and_input_gradient()
    {
        using var contiguous = TestModels.RandomDemo();
        using var channelsLast = TestModels.RandomDemo(); // the same seed: the same weights
        // conv1 reads one channel, so its weight is already in both layouts; conv2 and conv3 are converted.
        Assert.Equal(2, ChannelsLast.Apply(channelsLast.Network));
        Assert.True(ChannelsLast.Uses(channelsLast.Network));
        Assert.False(ChannelsLast.Uses(contiguous.Network));
        Assert.Equal(0, ChannelsLast.Apply(channelsLast.Network)); // already converted: nothing to do

        using var scope = NewDisposeScope();
        var pixels = rand(4, 1, 28, 28);
        foreach (bool pre in new[] { false, true })
        {
            var expected = contiguous.Activations(pixels, contiguous.LayerNames, pre);
            var actual = channelsLast.Activations(pixels, channelsLast.LayerNames, pre);
            foreach (var layer in contiguous.LayerNames)
            {
                Assert.True(expected[layer].allclose(actual[layer], rtol: 1e-5, atol: 1e-6), $"{layer} (pre-activation: {pre}) differs");
                // conv1's input and weight have one channel, so libtorch keeps its output as it comes; from
                // conv2 on, the converted weights set the layout.
                if (layer is "conv2" or "conv3")
                    Assert.True(ChannelsLast.IsChannelsLast(actual[layer]), $"{layer} is not channels-last");
            }
        }

        // Rendering optimises the input, so the backward pass must agree too.
        Tensor InputGradient(IAtlasModel model)
        {
            var input = pixels.clone().requires_grad_(true);
            model.Activations(input, ["conv3"])["conv3"].select(1, 5).sum().backward();
            return input.grad!;
        }
        Assert.True(InputGradient(contiguous).allclose(InputGradient(channelsLast), rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void Converting_to_bfloat16_keeps_the_layout()
    {
        using var model = TestModels.RandomDemo();
        ChannelsLast.Apply(model.Network);
        model.ConvertTo(ScalarType.BFloat16);
        Assert.True(ChannelsLast.Uses(model.Network));
        using var scope = NewDisposeScope();
        var conv3 = model.Activations(rand(2, 1, 28, 28), ["conv3"])["conv3"];
        Assert.Equal(ScalarType.BFloat16, conv3.dtype);
        Assert.True(ChannelsLast.IsChannelsLast(conv3));
    }

    [Fact]
    public void Channels_last_tensors_are_recognised_by_their_strides()
    {
        using var scope = NewDisposeScope();
        var x = rand(2, 3, 5, 7);
        Assert.False(ChannelsLast.IsChannelsLast(x));
        var y = ChannelsLast.Of(x);
        Assert.True(ChannelsLast.IsChannelsLast(y), $"strides {string.Join(",", y.stride())} of shape {string.Join(",", y.shape)}");
        Assert.Equal(x.shape, y.shape);
        Assert.True(x.allclose(y, 0, 0));
        Assert.False(ChannelsLast.IsChannelsLast(rand(3, 5, 7)));
        // With one channel both layouts are the same bytes, whatever stride libtorch records for that dimension.
        Assert.True(ChannelsLast.IsChannelsLast(rand(2, 1, 5, 7)));
    }

    [Theory]
    [InlineData("channelsLast", "cpu", true)]
    [InlineData("contiguous", "cuda", false)]
    [InlineData("auto", "cuda", true)]
    [InlineData("auto", "cpu", true)]
    public void Memory_format_setting_picks_the_layout(string setting, string device, bool expected) =>
        Assert.Equal(expected, ChannelsLast.For(setting, device == "cpu" ? CPU : new Device(TorchSharp.DeviceType.CUDA, 0)));

    [Fact]
    public void An_unknown_memory_format_names_the_setting() =>
        Assert.Contains("model.memoryFormat: 'nhwc'", Assert.Throws<AtlasInputException>(() => ChannelsLast.For("nhwc", CPU)).Message);
}
