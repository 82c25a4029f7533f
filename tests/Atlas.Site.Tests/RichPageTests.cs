using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Site.Pages;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>What the pages show when every optional manifest field is filled, and how big they get for big layers.</summary>
public sealed class RichPageTests : SitePageTests
{
    private const string Escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";

    private async Task GenerateAsync()
    {
        var store = await RichAtlas.StoreAsync(Temp.StoreFolder);
        await new SiteGenerator().GenerateAsync(store, Temp.Site, new SiteOptions(), null, CancellationToken.None);
    }

    [Fact]
    public async Task A_unit_page_shows_every_visualization_example_link_spread_match_and_the_citation()
    {
        await GenerateAsync();
        var unit = Page("mnist-cnn/v2/conv/1.html");

        foreach (var kind in new[] { "Negative", "Neuron", "Diversity 0", "Diversity 1" }) Assert.Contains($"<strong>{kind}</strong>", unit);
        Assert.Contains("src=\"../img/layers/conv/units/1/negative.png\"", unit);
        Assert.Contains("value -0.5 · seed 8", unit.Replace("&#183;", "·"));
        Assert.Contains("class=\"examples ex-top\"", unit);
        Assert.Contains("class=\"examples ex-bottom\"", unit);
        Assert.Contains("src=\"../img/layers/conv/units/1/heat-1.png\"", unit);
        Assert.Contains("<input type=\"checkbox\" id=\"overlays\" data-overlay-toggle> Show activation heatmaps", unit);
        // The peak of example 1 at (2, 3) on a 7×7 map.
        Assert.Contains("left:50%;top:35.71%", unit);
        // Circuit: an output to logits:1 (a link with its thumbnail), an input from a layer outside the atlas (text only, with its kernel).
        Assert.Contains($"<a class=\"neighbour\" href=\"../logits/1.html\"><img src=\"../img/layers/logits/units/1/vis.png\"", unit);
        Assert.Contains($"logits:1 · {Escaped}", unit);
        Assert.Contains("<span class=\"neighbour\"><span>input:0</span></span><img src=\"../img/layers/conv/units/1/kernel-in-0.png\"", unit);
        Assert.Contains("class=\"weight neg\"", unit);
        Assert.Contains("−0.6", unit.Replace("&#8722;", "−"));
        // Class spread, dominant class escaped.
        Assert.Contains($"<span class=\"bar-label\">{Escaped}</span>", unit);
        // Versions: v1 is in the site (linked), v0 is not (named only); the v1 match to conv:1 links, the one to conv:99 does not.
        Assert.Contains("href=\"../../v1/conv/1.html\">v1 (2025-03-04, aaaaaaaaaaaa)</a>", unit);
        Assert.Contains("v0 (2024-01-01, cccccccccccc) <span class=\"meta\">not in this site</span>", unit);
        Assert.Contains("<td><a href=\"../../v1/conv/1.html\">conv:1</a></td>", unit);
        Assert.Contains("<td>conv:99</td>", unit);
        // Citation: model, checkpoint hash, objective, seed, recipe.
        Assert.Contains($"Checkpoint:  sha256 {new string('b', 64)}", unit);
        Assert.Contains("Objective:   channel(conv:1) spatial mean (final value 2.5)", unit);
        Assert.Contains("Seed:        7", unit);
        Assert.Contains("Recipe:      fft, 256 steps", unit);
        Assert.DoesNotContain(TestAtlas.Hostile, unit);
    }

    [Fact]
    public async Task A_unit_page_lists_excitatory_and_inhibitory_links_apart_under_a_legend_that_says_what_they_are()
    {
        await GenerateAsync();
        var logits = Page("mnist-cnn/v2/logits/1.html").Replace("&#8722;", "−");

        // logits:1 reads conv:1 at +0.8 and conv:2 at −0.4: one in each group, each under its heading.
        Assert.Contains("conv:1", Between(logits, "<ol class=\"links links-pos\">", "</ol>"));
        Assert.DoesNotContain("conv:2", Between(logits, "<ol class=\"links links-pos\">", "</ol>"));
        Assert.Contains("conv:2", Between(logits, "<ol class=\"links links-neg\">", "</ol>"));
        Assert.True(logits.IndexOf("Excitatory (+)", StringComparison.Ordinal) < logits.IndexOf("links-pos", StringComparison.Ordinal));
        Assert.True(logits.IndexOf("Inhibitory (−)", StringComparison.Ordinal) < logits.IndexOf("links-neg", StringComparison.Ordinal));
        // The legend: what the number, the bar and the kernel's colours are; and how many units the inputs were chosen among.
        Assert.Contains("the L2 norm of the kernel of weights", logits);
        Assert.Contains("signed by the kernel&#39;s sum", logits);
        Assert.Contains("Bar: |strength|", logits);
        Assert.Contains("red positive, blue negative", logits);
        Assert.Contains("Reads all 4 units of conv; the strongest of each sign are listed.", logits);

        // conv:1 feeds logits:1 at −0.6 only (a manifest may hold one sign alone): its excitatory group says it has none.
        var conv = Page("mnist-cnn/v2/conv/1.html");
        Assert.Contains("None among the links this atlas kept.", Between(conv, "<h3>Outputs</h3>", "</div>"));
        Assert.Contains("Feeds all 3 units of logits", conv);
    }

    [Fact]
    public async Task The_first_layer_says_its_inputs_are_the_image_and_its_filter_picture_says_how_to_read_it()
    {
        // The rich atlas's conv units without their link to a layer outside the atlas: as for a real first layer, no inputs.
        var manifest = RichAtlas.Manifest();
        var conv = manifest.Layers[0];
        manifest = manifest with { Layers = [conv with { Units = [.. conv.Units.Select(u => u with { Inputs = [] })] }, manifest.Layers[1]] };
        var store = new Storage.LocalFolderArtifactStore(Temp.StoreFolder);
        await RichAtlas.PutAsync(store, manifest);
        await new SiteGenerator().GenerateAsync(store, Temp.Site, new SiteOptions(), null, CancellationToken.None);

        var unit = Page("mnist-cnn/v2/conv/1.html");
        Assert.Contains("<h3>Inputs</h3>\n<p class=\"meta no-inputs\">conv reads the input image itself, not another layer", unit);
        Assert.Contains("the filters on the <a href=\"index.html\">conv layer page</a>", unit);
        // 4 filters in rows of 2, on a grayscale input.
        var legend = "One tile a unit, in unit order: unit 0 top left, then left to right, 2 to a row (unit 2 starts the second). " +
                     "Its weights on the input image: mid-grey is a weight of 0, lighter positive, darker negative, on one scale shared by all 4 filters.";
        Assert.Contains(legend, Page("mnist-cnn/v2/conv/index.html"));
        Assert.Contains(legend, Page("mnist-cnn/v2/index.html"));
        // A later layer with inputs lists them, not the note.
        Assert.DoesNotContain("no-inputs", Page("mnist-cnn/v2/logits/1.html"));
    }

    [Fact]
    public async Task A_class_is_named_on_tiles_and_found_by_search_only_where_it_holds_most_of_the_top_examples()
    {
        // conv:0's top examples: one of each class, so its most frequent class ("zero", first by name) holds a third of them.
        var manifest = RichAtlas.Manifest();
        var conv = manifest.Layers[0];
        var even = new ClassSpread(RichAtlas.Classes.ToDictionary(c => c, _ => 1), Math.Log2(3), RichAtlas.Classes[0]);
        manifest = manifest with { Layers = [conv with { Units = [conv.Units[0] with { ClassSpread = even }, .. conv.Units.Skip(1)] }, manifest.Layers[1]] };
        var store = new Storage.LocalFolderArtifactStore(Temp.StoreFolder);
        await RichAtlas.PutAsync(store, manifest);
        await new SiteGenerator().GenerateAsync(store, Temp.Site, new SiteOptions(), null, CancellationToken.None);

        var grid = Page("mnist-cnn/v2/conv/index.html");
        var tile0 = Between(grid, "<li data-i=\"0\"", "</li>");
        Assert.Contains("data-text=\"0 mixed classes\"", tile0);
        Assert.Contains("<span class=\"l\" title=\"most frequent: zero, 1 of 3 top examples\">mixed classes</span>", tile0);
        // conv:2 has 2 of 3 top examples of Sneaker: named.
        Assert.Contains($"<span class=\"l\" title=\"most frequent: {RichAtlas.Sneaker}, 2 of 3 top examples\">{RichAtlas.Sneaker}</span>", Between(grid, "<li data-i=\"2\"", "</li>"));

        var index = Page("mnist-cnn/v2/search-index.js");
        Assert.Contains("[0,null,null,\"img/layers/conv/units/0/vis.png\"]", index);
        Assert.Contains($"[2,null,\"{RichAtlas.Sneaker}\",\"img/layers/conv/units/2/vis.png\"]", index);
        Assert.Contains("Most frequent class</dt><dd>zero <span class=\"meta\">(1 of 3 top examples;", Page("mnist-cnn/v2/conv/0.html"));
    }

    [Fact]
    public async Task Numbers_next_to_pictures_say_what_they_are()
    {
        await GenerateAsync();
        string Read(string path) => Page(path).Replace("&#215;", "×").Replace("&#39;", "'");

        // The layer grid: the number under a tile is the max activation, over positions and after the ReLU; on the logits layer, the max logit.
        var grid = Read("mnist-cnn/v2/conv/index.html");
        Assert.Contains("the number is its max activation, the highest value any dataset image gives it (the maximum over the layer's positions, after the ReLU", grid);
        Assert.Contains("title=\"max activation over the data set\"", grid);
        var logits = Read("mnist-cnn/v2/logits/index.html");
        Assert.Contains("the number is its max logit, the highest logit any dataset image gets for the class.", logits);
        Assert.Contains("<option value=\"max\">max logit (highest first)</option>", logits);
        Assert.Contains("title=\"max logit over the data set\"", logits);
        Assert.DoesNotContain("max activation", logits);

        // A unit page: the examples' values and positions, the logit named as such, and why diversity values are negative.
        var unit = Read("mnist-cnn/v2/conv/1.html");
        Assert.Contains("Under each image: the unit's highest activation over the 7×7 positions of its map on the image (after the ReLU where the layer has one)", unit);
        Assert.Contains("(row, column) of that value on the map, counted from 0 at the top left", unit);
        Assert.Contains("the unit's lowest activation over the 7×7 positions", unit);
        Assert.Contains("image 1 at (row 2, col 3)", unit);
        Assert.Contains("A diversity picture's value is its whole objective", unit);
        Assert.Contains("<dt>Max activation</dt>", unit);
        var logit = Read("mnist-cnn/v2/logits/1.html");
        Assert.Contains("<dt>Max logit</dt>", logit);
        Assert.Contains("Under each image: the unit's logit on the image, then its class and the image's index in the data set.", logit);
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"no {start}");
        var to = text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        return text[from..to];
    }

    [Fact]
    public async Task The_model_page_charts_layer_statistics_and_shows_filters_and_versions()
    {
        await GenerateAsync();
        var model = Page("mnist-cnn/v2/index.html");

        Assert.Equal(3, model.Split("<svg ").Length - 1);
        Assert.Contains("aria-label=\"Activations ≤ 0 (sparsity): conv 55.0 %, logits 90.0 %\"", model);
        Assert.Contains("<title>logits: -1.25</title>", model);
        Assert.Contains("src=\"img/layers/conv/weights.png\" alt=\"Weights of every filter of layer conv\"", model);
        Assert.Contains("<a href=\"../v1/index.html\">v1</a>", model);
        Assert.Contains("<code>v0</code> (not in this site)", model);
        Assert.DoesNotContain("<script src=\"http", model);

        var home = Page("index.html");
        Assert.True(home.IndexOf("v2/index.html\">v2", StringComparison.Ordinal) < home.IndexOf("v1/index.html\">v1", StringComparison.Ordinal), "newest version first");
        Assert.Contains("<span class=\"tag\">latest</span>", home);
    }

    [Fact]
    public async Task The_search_index_is_a_script_with_every_unit_and_no_raw_markup()
    {
        await GenerateAsync();
        var index = Page("mnist-cnn/v2/search-index.js");

        Assert.StartsWith("window.circuitAtlasSearch = {", index);
        Assert.Contains("\"name\":\"conv\",\"page\":\"conv/index.html\"", index);
        Assert.Contains("[2,\"Sneaker\",\"Sneaker\",\"img/layers/logits/units/2/vis.png\"]", index);
        Assert.DoesNotContain("<", index);
        Assert.Contains("\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E", index);
    }

    [Fact]
    public void A_layer_of_thousands_of_units_stays_small_and_lazy()
    {
        const int units = 4096;
        var keys = new AtlasKeys("big-model", "v1");
        var layer = new LayerManifest("mixed5b", "conv", units, 7, 7,
        [
            .. Enumerable.Range(0, units).Select(i => new UnitManifest(i, null, $"channel(mixed5b:{i})", keys.UnitVis("mixed5b", i), 1,
                [.. Enumerable.Range(0, 10).Select(k => new ExampleRef(k, 10 - k, 3, 3, k, keys.DatasetImage(k)))])
            {
                ClassSpread = new ClassSpread(new Dictionary<string, int> { ["class a"] = 6, ["class b"] = 4 }, 0.97, "class a"),
            }),
        ]);
        var manifest = TestAtlas.Manifest() with { Atlas = "big-model", Layers = [layer, layer with { Name = "logits" }] };
        var atlas = AtlasLayout.Create(keys.Manifest, manifest);
        var context = new AtlasContext(atlas, new ImageTags(atlas, new Dictionary<string, ImageSize>()), new SiteOptions(), [atlas]);

        var html = LayerPage.Render(context, atlas.Layers[0]);
        var bytes = Encoding.UTF8.GetByteCount(html);

        Assert.True(bytes < 2_000_000, $"the layer page of {units} units is {bytes:N0} bytes");
        Assert.Equal(units, html.Split("loading=\"lazy\"").Length - 1);
        Assert.True(Encoding.UTF8.GetByteCount(ModelPage.Render(context)) < 100_000);
        Assert.True(Encoding.UTF8.GetByteCount(UnitPage.Render(context, atlas.Layers[0], units - 1)) < 100_000);
        Assert.True(SearchPage.Index(context).Length < 2 * units * 120, "the search index grows by about a hundred bytes a unit");
    }
}
