using Atlas.Core.Models;
using Atlas.Core.Rendering;

namespace Atlas.Core.Tests.Rendering;

/// <summary>featureVis.imageSize is checked against the network once, before a job is planned.</summary>
public class RenderableSizeTests
{
    [Fact]
    public void Sizes_the_convolutions_take_pass_and_a_fixed_size_linear_layer_is_named()
    {
        using var model = TestModels.RandomDemo();
        var layers = LayerCatalog.Measure(model);
        var convolutions = layers.Where(l => l.Name != "logits").ToList();

        RenderableSize.Ensure(model, layers, null);
        RenderableSize.Ensure(model, layers, 28);
        RenderableSize.Ensure(model, convolutions, 32);
        var e = Assert.Throws<AtlasInputException>(() => RenderableSize.Ensure(model, layers, 32));

        Assert.StartsWith("featureVis.imageSize: model 'demo-cnn' cannot take 32×32 pictures up to layer 'logits' (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
