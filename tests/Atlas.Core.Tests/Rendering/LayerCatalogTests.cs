using Atlas.Core.Models;

namespace Atlas.Core.Tests.Rendering;

public class LayerCatalogTests
{
    [Fact]
    public void Layer_catalog_measures_shapes_with_a_dry_forward_pass()
    {
        using var model = TestModels.RandomDemo();
        var catalog = LayerCatalog.Measure(model);
        Assert.Equal(
            new[] { ("conv1", LayerKind.Conv, 16, 28), ("conv2", LayerKind.Conv, 32, 14), ("conv3", LayerKind.Conv, 64, 7), ("logits", LayerKind.Linear, 10, 1) },
            catalog.Select(l => (l.Name, l.Kind, l.Channels, l.Height)).ToArray());
        var error = Assert.Throws<AtlasInputException>(() => LayerCatalog.Select(catalog, ["conv9"], "layers"));
        Assert.Contains("conv9", error.Message);
    }
}
