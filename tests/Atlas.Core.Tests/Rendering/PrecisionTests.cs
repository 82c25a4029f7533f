using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

[Collection(GlobalTorchRandomCollection.Name)]
public class PrecisionTests
{
    [Fact]
    public void A_bfloat16_model_takes_float32_pixels_and_returns_bfloat16_activations()
    {
        using var model = TestModels.RandomDemo();
        model.ConvertTo(ScalarType.BFloat16);
        using var pixels = rand(2, 1, 28, 28);
        var activations = model.Activations(pixels, ["conv2"]);
        using var conv2 = activations["conv2"];
        Assert.Equal(ScalarType.BFloat16, model.ComputeType);
        Assert.Equal(ScalarType.BFloat16, conv2.dtype);
    }

    [Fact]
    public void Pictures_rendered_in_bfloat16_excite_their_units_about_as_much_as_float32_pictures()
    {
        using var exact = TestModels.RandomDemo();
        using var reduced = TestModels.RandomDemo(); // the same seed: the same weights
        reduced.ConvertTo(ScalarType.BFloat16);
        var catalog = LayerCatalog.Measure(exact);
        var items = UnitVisPlanner.Plan(catalog, "conv3", 0, 6, FeatureVisBenchmark.ChannelOnly).Select(p => p.Item).ToList();

        var comparison = PrecisionComparison.Run(exact, reduced, items, new RenderSettings { Steps = 48, LearningRate = 0.1 });

        Assert.Equal(items.Count, comparison.Count);
        // Scored by the float32 network, a bfloat16 picture must do nearly as well as the float32 one: the
        // engine's reduced precision may round differently, not aim elsewhere. (Units dead on both count as equal.)
        double mean = comparison.Average(c => c.ObjectiveRatio);
        Assert.True(mean > 0.85, $"bfloat16 pictures reach {mean:F3} of the float32 objective on average: {string.Join(", ", comparison.Select(c => $"{c.Objective} {c.ObjectiveRatio:F3}"))}");
        Assert.All(comparison, c => Assert.True(c.PixelCorrelation > 0.3, $"{c.Objective}: pictures correlate only {c.PixelCorrelation:F3}"));
    }

    [Theory]
    [InlineData("float32", "cpu", ScalarType.Float32)]
    [InlineData("auto", "cpu", ScalarType.Float32)]
    [InlineData("auto", "cuda", ScalarType.BFloat16)]
    [InlineData("bfloat16", "cpu", ScalarType.BFloat16)]
    public void Precision_auto_means_bfloat16_on_a_gpu_only(string setting, string device, ScalarType expected) =>
        Assert.Equal(expected, RenderPrecision.For(setting, device == "cpu" ? CPU : new Device(TorchSharp.DeviceType.CUDA, 0)));
}
