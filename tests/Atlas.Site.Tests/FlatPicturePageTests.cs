using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>
/// A unit the data set activates whose main picture stayed nearly flat (its contrast at the starting noise's) shows
/// nothing of the unit: its page says so and the model overview counts such units per layer. A never-active unit's flat
/// picture is expected, and an atlas whose manifest predates contrasts gets no column of zeros.
/// </summary>
public sealed class FlatPicturePageTests : SitePageTests
{
    /// <summary>
    /// RichAtlas with conv contrasts: unit 0 never active and flat, unit 1 active and flat, unit 2 active with a drawn
    /// picture; unit 1's negative picture drawn (only the main one counts).
    /// </summary>
    private async Task GenerateAsync(bool withContrasts = true)
    {
        var manifest = RichAtlas.Manifest();
        var conv = manifest.Layers[0];
        UnitManifest With(UnitManifest unit, double contrast, bool neverActive = false) => unit with
        {
            TopExamples = neverActive ? [.. unit.TopExamples.Select(e => e with { Value = 0f })] : unit.TopExamples,
            Visualizations = [.. unit.Visualizations.Select(v => v with { Contrast = v.Kind == "channel" ? contrast : 0.3 })],
        };
        var units = conv.Units.Select(u => u.Index switch
        {
            0 => With(u, 0.016, neverActive: true),
            1 => With(u, 0.021),
            2 => With(u, 0.31),
            _ => u,
        }).ToList();
        if (withContrasts) manifest = manifest with { Layers = [conv with { Units = units }, .. manifest.Layers.Skip(1)] };
        var store = await TestAtlas.StoreAsync(Temp.StoreFolder);
        await RichAtlas.PutAsync(store, manifest);
        await new SiteGenerator().GenerateAsync(store, Temp.Site, new SiteOptions(), null, CancellationToken.None);
    }

    [Fact]
    public async Task An_active_units_flat_picture_is_said_on_its_page_and_counted_in_the_overview()
    {
        await GenerateAsync();

        Assert.Contains("<span class=\"meta flat-picture\">Nearly flat picture (pixel spread 0.021) of a unit the data set activates", Page("mnist-cnn/v2/conv/1.html"));
        Assert.DoesNotContain("flat-picture", Page("mnist-cnn/v2/conv/0.html"));   // never active: its flat picture is expected
        Assert.DoesNotContain("flat-picture", Page("mnist-cnn/v2/conv/2.html"));

        Assert.Contains(" · 1 unit never active on the data set · 1 active unit with a nearly flat picture</p>", Page("mnist-cnn/v2/conv/index.html"));
        Assert.DoesNotContain("nearly flat", Page("mnist-cnn/v2/logits/index.html"));

        var overview = Page("mnist-cnn/v2/index.html");
        Assert.Contains(">Flat pictures</th>", overview);
        Assert.Matches(@">conv</a></th>.*<td class=""num"" data-label=""Never active"">1</td><td class=""num"" data-label=""Flat pictures"">1</td>", overview);
        // Units without a measured contrast (this layer's) are not flat.
        Assert.Matches(@">logits</a></th>.*<td class=""num"" data-label=""Flat pictures"">0</td>", overview);
    }

    [Fact]
    public async Task An_atlas_without_measured_contrasts_gets_no_flat_picture_column()
    {
        await GenerateAsync(withContrasts: false);

        Assert.DoesNotContain("Flat pictures", Page("mnist-cnn/v2/index.html"));
        Assert.DoesNotContain("flat-picture", Page("mnist-cnn/v2/conv/1.html"));
    }
}
