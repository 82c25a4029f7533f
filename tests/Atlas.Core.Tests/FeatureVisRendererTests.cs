using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Tests;

public class FeatureVisRendererTests
{
    private static DemoCnnModel RandomDemoModel()
    {
        TorchRuntime.Initialize();
        random.manual_seed(11);
        var network = new DemoCnn();
        network.eval();
        return new DemoCnnModel(network, FashionMnist.ClassNames);
    }

    [Theory]
    [InlineData("conv1")]
    [InlineData("conv2")]
    [InlineData("conv3")]
    [InlineData("logits")]
    public void One_gradient_ascent_step_raises_every_targeted_unit(string layer)
    {
        using var model = RandomDemoModel();
        var channels = new[] { 0, 3, 5 };
        var start = FeatureVisRenderer.Render(model, new FeatureVisRequest(layer, channels, Steps: 0, LearningRate: 0.05, Seed: 1, Jitter: 0));
        var after = FeatureVisRenderer.Render(model, new FeatureVisRequest(layer, channels, Steps: 1, LearningRate: 0.05, Seed: 1, Jitter: 0));
        for (int i = 0; i < channels.Length; i++)
            Assert.True(after[i].Objective > start[i].Objective, $"{layer}:{channels[i]} went from {start[i].Objective} to {after[i].Objective}");
    }

    [Fact]
    public void A_unit_picture_does_not_depend_on_its_batch_companions()
    {
        using var model = RandomDemoModel();
        var alone = FeatureVisRenderer.Render(model, new FeatureVisRequest("conv2", [4], 5, 0.05, 9, 1));
        var together = FeatureVisRenderer.Render(model, new FeatureVisRequest("conv2", [1, 4, 7], 5, 0.05, 9, 1));
        var a = alone[0].Pixels;
        var b = together[1].Pixels;
        Assert.Equal(a.Length, b.Length);
        Assert.True(a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
    }

    [Fact]
    public void Layer_catalog_measures_shapes_with_a_dry_forward_pass()
    {
        using var model = RandomDemoModel();
        var catalog = LayerCatalog.Measure(model);
        Assert.Equal(
            new[] { ("conv1", LayerKind.Conv, 16, 28), ("conv2", LayerKind.Conv, 32, 14), ("conv3", LayerKind.Conv, 64, 7), ("logits", LayerKind.Linear, 10, 1) },
            catalog.Select(l => (l.Name, l.Kind, l.Channels, l.Height)).ToArray());
        var error = Assert.Throws<AtlasInputException>(() => LayerCatalog.Select(catalog, ["conv9"], "layers"));
        Assert.Contains("conv9", error.Message);
    }
}
