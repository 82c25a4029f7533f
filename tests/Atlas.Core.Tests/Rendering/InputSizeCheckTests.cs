using Atlas.Core.Models;

namespace Atlas.Core.Tests.Rendering;

/// <summary>featureVis.imageSize and dataset.imageSize are checked against the network once, before a job is planned.</summary>
public class InputSizeCheckTests
{
    [Fact]
    public void Sizes_the_convolutions_take_pass_and_a_fixed_size_linear_layer_is_named()
    {
        using var model = TestModels.RandomDemo();
        var layers = LayerCatalog.Measure(model);
        var convolutions = layers.Where(l => l.Name != "logits").ToList();

        InputSizeCheck.Ensure(model, layers, null, "featureVis.imageSize");
        InputSizeCheck.Ensure(model, layers, 28, "featureVis.imageSize", throughLogits: true);
        InputSizeCheck.Ensure(model, convolutions, 32, "featureVis.imageSize");
        var pictures = Assert.Throws<AtlasInputException>(() => InputSizeCheck.Ensure(model, layers, 32, "featureVis.imageSize"));
        // Dataset images reach the logits even when the atlas leaves them out.
        var images = Assert.Throws<AtlasInputException>(() => InputSizeCheck.Ensure(model, convolutions, 32, "dataset.imageSize", throughLogits: true));

        Assert.StartsWith("featureVis.imageSize: model 'demo-cnn' cannot take 32×32 inputs up to layer 'logits' (", pictures.Message);
        Assert.EndsWith("; use 28, or leave 'logits' out of `layers`", pictures.Message);
        Assert.StartsWith("dataset.imageSize: model 'demo-cnn' cannot take 32×32 inputs up to layer 'logits (the whole network)' (", images.Message);
        Assert.EndsWith("; use 28", images.Message);
        Assert.DoesNotContain('\n', pictures.Message + images.Message);
    }
}
