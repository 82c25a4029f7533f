using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class MaxPoolGradientTests
{
    private static IAtlasModel Build(string architecture, bool channelsLast)
    {
        TorchRuntime.Initialize();
        random.manual_seed(33);
        var zoo = ModelZoo.Get(architecture);
        var network = zoo.Create(new ZooBuildOptions(zoo.DefaultClasses, TransformInput: false));
        ModelDevice.FreezeOnRuntimeDevice(network);
        if (channelsLast) ChannelsLast.Apply(network);
        return zoo.WrapNetwork(network, zoo.InputFor(64), []);
    }

    // GoogLeNet: 4 stem pools (3×3 stride 2, ceil mode, held in fields) and one 3×3 stride-1 padded pool per
    // inception block (9, inside Sequentials). AlexNet: 3 pools in its features Sequential. ResNet: one field.
    [Theory]
    [InlineData("googlenet", 13, true)]
    [InlineData("googlenet", 13, false)]
    [InlineData("alexnet", 3, true)]
    [InlineData("resnet18", 1, false)]
    public void Scatter_pools_pass_the_same_input_gradients_and_leave_activations_alone(string architecture, int pools, bool channelsLast)
    {
        using var native = Build(architecture, channelsLast);
        using var scattered = Build(architecture, channelsLast);
        Assert.Equal(pools, MaxPoolGradient.Apply(scattered.Network));
        Assert.Equal(0, MaxPoolGradient.Apply(scattered.Network)); // none left to replace

        using var scope = NewDisposeScope();
        var pixels = rand(2, 3, 64, 64);
        var layers = native.LayerNames.Where(l => l != "logits").ToList();
        var expected = native.Activations(pixels, layers, preActivation: true);
        var actual = scattered.Activations(pixels, layers, preActivation: true);
        foreach (var layer in layers)
            Assert.True(expected[layer].allclose(actual[layer], 0, 0), $"{architecture} {layer}: activations changed");

        foreach (var layer in new[] { layers[layers.Count / 2], layers[^1] })
        {
            var want = InputGradient(native, pixels, layer);
            var got = InputGradient(scattered, pixels, layer);
            double scale = want.abs().max().item<float>();
            Assert.True(scale > 0, $"{architecture} {layer}: no gradient reached the input");
            Assert.True((want - got).abs().max().item<float>() <= 1e-5 * scale, $"{architecture} {layer}: input gradients differ");
        }
    }

    private static Tensor InputGradient(IAtlasModel model, Tensor pixels, string layer)
    {
        var input = pixels.clone().requires_grad_(true);
        model.Activations(input, [layer], preActivation: true)[layer].select(1, 1).sum().backward();
        return input.grad!;
    }

    [Fact]
    public void Without_gradients_the_pool_is_the_plain_pool()
    {
        TorchRuntime.Initialize();
        using var pool = new ScatterMaxPool2d(nn.MaxPool2d(3, stride: 2, ceil_mode: true));
        using var scope = NewDisposeScope();
        var x = randn(2, 4, 9, 9);
        using (no_grad())
            Assert.True(pool.call(x).allclose(nn.functional.max_pool2d(x, [3, 3], [2, 2], ceil_mode: true), 0, 0));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_pool_gradient_is_the_native_one_in_the_layout_it_came_in(bool channelsLast)
    {
        TorchRuntime.Initialize();
        random.manual_seed(5);
        using var pool = new ScatterMaxPool2d(nn.MaxPool2d(3, stride: 1, padding: 1, ceil_mode: true));
        using var scope = NewDisposeScope();
        Tensor Layout(Tensor t) => channelsLast ? ChannelsLast.Of(t) : t.contiguous();
        var values = randn(2, 8, 9, 9);
        var weights = Layout(randn(2, 8, 9, 9));
        var x = Layout(values).detach().clone().requires_grad_(true);
        (pool.call(x) * weights).sum().backward();
        var reference = values.detach().clone().requires_grad_(true);
        (nn.functional.max_pool2d(reference, [3, 3], [1, 1], [1, 1], ceil_mode: true) * weights).sum().backward();
        Assert.True(x.grad!.allclose(reference.grad!, 1e-6, 1e-6));
        Assert.Equal(channelsLast, !x.grad!.is_contiguous());
    }

    [Theory]
    [InlineData("auto", false)]
    [InlineData("native", false)]
    [InlineData("scatter", true)]
    public void The_config_value_chooses_the_backward_on_the_CPU(string value, bool scatter) =>
        Assert.Equal(scatter, MaxPoolGradient.For(value, CPU));

    [Fact]
    public void An_unknown_config_value_names_the_field() =>
        Assert.Contains("model.maxPoolBackward: 'fast'", Assert.Throws<AtlasInputException>(() => MaxPoolGradient.For("fast", CPU)).Message);
}
