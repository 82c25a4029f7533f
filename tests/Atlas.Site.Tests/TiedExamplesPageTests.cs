using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>
/// A unit whose top examples all tie (a ReLU channel the data set never activates: every image 0) ranks no image
/// above another, so its pages must not present the first images' classes as its preference.
/// </summary>
public sealed class TiedExamplesPageTests : SitePageTests
{
    /// <summary>RichAtlas with conv unit 0 tied at 0 (never active) and unit 3 tied at 6 (saturated), both still carrying the class spread the analysis computed.</summary>
    private async Task GenerateAsync()
    {
        var manifest = RichAtlas.Manifest();
        var conv = manifest.Layers[0];
        UnitManifest Tied(UnitManifest unit, float value) => unit with { TopExamples = [.. unit.TopExamples.Select(e => e with { Value = value })] };
        var units = conv.Units.Select(u => u.Index switch { 0 => Tied(u, 0f), 3 => Tied(u, 6f), _ => u }).ToList();
        manifest = manifest with { Layers = [conv with { Units = units }, .. manifest.Layers.Skip(1)] };
        var store = await TestAtlas.StoreAsync(Temp.StoreFolder);
        await RichAtlas.PutAsync(store, manifest);
        await new SiteGenerator().GenerateAsync(store, Temp.Site, new SiteOptions(), null, CancellationToken.None);
    }

    [Fact]
    public async Task A_unit_the_data_set_never_activates_is_called_so_and_gets_no_class()
    {
        await GenerateAsync();
        var dead = Page("mnist-cnn/v2/conv/0.html");
        Assert.Contains("0 <span class=\"meta\">(never active on the data set)</span>", dead);
        Assert.Contains("The data set never activates this unit", dead);
        Assert.DoesNotContain("Most frequent class", dead);
        Assert.DoesNotContain("Classes of the top examples", dead);

        var saturated = Page("mnist-cnn/v2/conv/3.html");
        Assert.Contains("(every top example: they tie)", saturated);
        Assert.Contains("Every top image gives this unit the same value (6)", saturated);
        Assert.DoesNotContain("Most frequent class", saturated);

        // A unit whose examples rank images keeps its class.
        Assert.Contains("Most frequent class", Page("mnist-cnn/v2/conv/1.html"));
    }

    [Fact]
    public async Task The_layer_grid_and_the_search_index_name_no_class_for_tied_units_and_the_overview_counts_the_dead()
    {
        await GenerateAsync();
        var grid = Page("mnist-cnn/v2/conv/index.html");
        Assert.Contains("1 unit never active on the data set", grid);
        var tiles = grid.Split("<li ").Skip(1).ToArray();
        Assert.Contains("<span class=\"l\">never active</span>", tiles[0]);
        Assert.DoesNotContain("data-spread", tiles[0]);
        Assert.Contains("<span class=\"l\">all tie</span>", tiles[3]);
        Assert.Contains("data-spread", tiles[1]);

        // The model overview counts each layer's never-active units.
        var overview = Page("mnist-cnn/v2/index.html");
        Assert.Contains(">Never active</th>", overview);
        Assert.Matches(@">conv</a></th><td data-label=""Kind"">conv</td><td data-label=""Shape"">[^<]*</td><td class=""num"" data-label=""Units"">4</td><td class=""num"" data-label=""Never active"">1</td>", overview);
        Assert.Matches(@">logits</a></th><td data-label=""Kind"">linear</td><td data-label=""Shape"">[^<]*</td><td class=""num"" data-label=""Units"">3</td><td class=""num"" data-label=""Never active"">0</td>", overview);

        var index = Page("mnist-cnn/v2/search-index.js");
        Assert.Contains("[0,null,null,", index);
        Assert.Contains("[1,null,", index);
        Assert.DoesNotContain("[1,null,null,", index);
    }
}
