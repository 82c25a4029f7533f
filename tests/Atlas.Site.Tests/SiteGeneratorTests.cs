using System.Text.RegularExpressions;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

public sealed partial class SiteGeneratorTests : SitePageTests
{
    private async Task<SiteResult> GenerateAsync(IArtifactStore store, SiteOptions? options = null) =>
        await new SiteGenerator().GenerateAsync(store, Temp.Site, options ?? new SiteOptions(), null, CancellationToken.None);

    [Fact]
    public async Task Every_link_and_image_resolves_inside_the_site_and_every_page_is_reachable()
    {
        var result = await GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder));

        var crawl = SiteCrawler.Run(Temp.Site);
        var onDisk = Directory.GetFiles(Temp.Site, "*.html", SearchOption.AllDirectories).Select(Path.GetFullPath).ToHashSet();
        Assert.Equal(onDisk.Order(), crawl.Pages.Order());
        // home + model + search + 2 layer pages + 3 + 2 unit pages
        Assert.Equal(10, result.Pages);
        Assert.Equal(10, crawl.Pages.Count);
        // 5 visualizations + dataset images 0,1,2,5,6,7 (units of both layers share them)
        Assert.Equal(11, result.Images);
        Assert.Equal(1, result.Atlases);
        Assert.Equal(Path.GetFullPath(Temp.Site), result.OutputDirectory);
        var images = crawl.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).ToList();
        Assert.Equal(11, images.Count);
        Assert.Contains(crawl.Files, f => f.EndsWith(Path.Combine("assets", "site.css"), StringComparison.Ordinal));
        Assert.Contains(crawl.Files, f => f.EndsWith(Path.Combine("assets", "site.js"), StringComparison.Ordinal));
        Assert.Contains(crawl.Files, f => f.EndsWith(Path.Combine("assets", "search.js"), StringComparison.Ordinal));
        Assert.Contains(crawl.Files, f => f.EndsWith(Path.Combine("v1", "search-index.js"), StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Temp.Site, "mnist-cnn", "v1", "img", "layers", "conv", "units", "2", "vis.png")));
        Assert.Equal(TestPng.OnePixel, File.ReadAllBytes(Path.Combine(Temp.Site, "mnist-cnn", "v1", "img", "dataset", "images", "5.png")));
        Assert.Equal(["site"], Temp.SiteParentEntries());
    }

    /// <summary>Each step's counts start at 0, never go back, and end at its total: the publish's bars rely on it.</summary>
    [Fact]
    public async Task An_image_folder_has_no_split_so_none_is_shown_and_counts_are_grouped()
    {
        var manifest = TestAtlas.Manifest();
        await GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder, manifest with { Dataset = new DatasetInfo("photos", "", 12345, ["ant", "bee"]) }));

        Assert.Contains("photos (12,345 images, 2 classes)", Page("mnist-cnn/v1/index.html"));
        Assert.Contains("Dataset:     photos (12,345 images)", Page("mnist-cnn/v1/conv/0.html"));
    }

    [Fact]
    public async Task Counts_start_at_zero_and_end_at_each_steps_total()
    {
        var reports = new List<SiteProgress>();
        var options = new SiteOptions { Counts = progress => { lock (reports) reports.Add(progress); } };
        var result = await GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder), options);

        var steps = reports.GroupBy(r => r.Step).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(["mnist-cnn/v1: images", "mnist-cnn/v1: pages"], steps.Keys.Order());
        foreach (var (step, counts) in steps)
        {
            Assert.Equal(0, counts[0].Done);
            Assert.Equal(counts[0].Total, counts[^1].Done);
            Assert.True(counts.Zip(counts.Skip(1)).All(p => p.First.Done <= p.Second.Done), $"{step} went back");
        }
        Assert.Equal(result.Images, steps["mnist-cnn/v1: images"][^1].Done);
        Assert.Equal(result.Pages - 1, steps["mnist-cnn/v1: pages"][^1].Done); // all but the home page
    }

    [Fact]
    public async Task Previous_and_next_stop_at_the_ends_of_a_layer()
    {
        await GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder));

        var first = Page("mnist-cnn/v1/conv/0.html");
        Assert.DoesNotContain("rel=\"prev\"", first);
        Assert.Contains("<link rel=\"next\" href=\"1.html\">", first);
        Assert.Contains("<link rel=\"up\" href=\"index.html\">", first);
        Assert.Contains("<span class=\"disabled\" aria-disabled=\"true\">← Previous</span>", first);

        var middle = Page("mnist-cnn/v1/conv/1.html");
        Assert.Contains("<link rel=\"prev\" href=\"0.html\">", middle);
        Assert.Contains("<link rel=\"next\" href=\"2.html\">", middle);
        Assert.DoesNotContain("aria-disabled", middle);

        var last = Page("mnist-cnn/v1/conv/2.html");
        Assert.Contains("<link rel=\"prev\" href=\"1.html\">", last);
        Assert.DoesNotContain("rel=\"next\"", last);
        Assert.Contains("<span class=\"disabled\" aria-disabled=\"true\">Next →</span>", last);

        // Navigation stays within a layer: the last conv unit does not lead to the first logits unit.
        Assert.DoesNotContain("logits", last);
        Assert.Contains("<script src=\"../../../assets/site.js\" defer></script>", last);
        Assert.Contains("href=\"../index.html\"", last); // up to the model
    }

    [Fact]
    public async Task Text_from_manifests_is_escaped_everywhere()
    {
        await GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder), new SiteOptions { Title = "Atlas <i>home</i>" });

        foreach (var file in Directory.GetFiles(Temp.Site, "*.html", SearchOption.AllDirectories))
        {
            var html = File.ReadAllText(file);
            Assert.DoesNotContain(TestAtlas.Hostile, html);
            Assert.DoesNotContain("<i>home</i>", html);
            Assert.DoesNotContain("CNN & friends", html);
        }
        const string escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
        Assert.Contains($"<span class=\"l\">{escaped}</span>", Page("mnist-cnn/v1/logits/index.html"));
        var unit = Page("mnist-cnn/v1/logits/1.html");
        Assert.Contains($"unit 1 <span class=\"chip\">{escaped}</span></h1>", unit);
        Assert.Contains($"alt=\"Feature visualization of layer logits, unit 1 &#183; {escaped}\"", unit);
        // Example labels come from DatasetInfo.ClassNames: class 1 is the hostile name.
        Assert.Contains($"<span class=\"label\">{escaped}</span>", Page("mnist-cnn/v1/conv/0.html"));
        Assert.Contains("MNIST CNN &amp; friends", Page("index.html"));
        Assert.Contains("<title>Atlas &lt;i&gt;home&lt;/i&gt;</title>", Page("index.html"));
    }

    [Fact]
    public async Task Pages_show_what_the_manifest_says()
    {
        await GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder));

        var home = Page("index.html");
        Assert.Contains("<a href=\"mnist-cnn/v1/index.html\">", home);
        Assert.Contains("SmallCnn", home);
        Assert.Contains($">{new string('a', 12)}</code>", home);
        Assert.Contains("2025-03-04 05:06 UTC", home);
        Assert.Contains("98.50 %</td><td class=\"num\" data-label=\"Accuracy on the data set\">—</td><td class=\"num\" data-label=\"Units\">5</td>", home);

        var model = Page("mnist-cnn/v1/index.html");
        Assert.Contains("<th scope=\"row\" data-label=\"Layer\"><a href=\"conv/index.html\">conv</a></th>", model);
        Assert.True(model.IndexOf(">conv</a>", StringComparison.Ordinal) < model.IndexOf(">logits</a>", StringComparison.Ordinal));
        Assert.Contains("<td data-label=\"Shape\">3&#215;7&#215;7</td>", model);
        Assert.Contains("<td data-label=\"Kind\">linear</td><td data-label=\"Shape\">2&#215;1&#215;1</td>", model);
        Assert.Contains("MNIST (test, 10 images, 2 classes)", model);
        Assert.Contains("SmallCnn, its units seen on MNIST:", model); // the data set the examples come from, not a training set
        Assert.Contains("placeholder=\"Search: conv:0, a class…\"", model); // a unit this atlas has, not another network's
        Assert.Contains("98.50", model);
        Assert.Contains("fft, 256 steps", model);
        Assert.Contains("<li><a href=\"conv/2.html\"><img src=\"img/layers/conv/units/2/vis.png\"", model);
        Assert.DoesNotContain("<svg", model); // no layer statistics, no chart

        var unit = Page("mnist-cnn/v1/conv/0.html");
        Assert.Contains("mean activation of conv[0]<br>final objective <strong>1.5</strong>", unit);
        Assert.Contains("<strong>3.25</strong> <span class=\"label\">&lt;script&gt;", unit);
        Assert.Contains("<span class=\"label\">42</span><small>image 5 at (row 0, col 0)</small>", unit);
        // Optional sections are absent when their fields are empty.
        foreach (var section in new[] { "vis-h", "circuit-h", "ver-h", "spread-h", "Bottom:" }) Assert.DoesNotContain(section, unit);
        Assert.Contains("Cite and reproduce", unit);
        Assert.Contains("src=\"../img/layers/conv/units/0/vis.png\" alt=\"Feature visualization of layer conv, unit 0\" width=\"320\" height=\"320\">", unit);
        Assert.Contains("src=\"../img/dataset/images/5.png\" alt=\"Dataset image 5, class 42\" width=\"112\" height=\"112\" loading=\"lazy\" decoding=\"async\">", unit);
        Assert.Contains("image-rendering: pixelated", File.ReadAllText(Path.Combine(Temp.Site, "assets", "site.css")));
    }

    [Fact]
    public async Task Every_image_has_alt_text_and_grid_thumbnails_are_lazy_with_a_size()
    {
        await GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder));

        foreach (var file in Directory.GetFiles(Temp.Site, "*.html", SearchOption.AllDirectories))
        foreach (Match img in ImgTag().Matches(File.ReadAllText(file)))
            Assert.Matches("alt=\"[^\"]+\"", img.Value);

        var grid = ImgTag().Matches(Page("mnist-cnn/v1/conv/index.html")).Select(m => m.Value).ToList();
        Assert.Equal(3, grid.Count);
        Assert.All(grid, img => Assert.Contains("width=\"96\" height=\"96\" loading=\"lazy\"", img));
        Assert.Contains("<a href=\"1.html\"><img src=\"../img/layers/conv/units/1/vis.png\"", Page("mnist-cnn/v1/conv/index.html"));
        Assert.Contains("<span class=\"n\">0</span><span class=\"l\">zero</span>", Page("mnist-cnn/v1/logits/index.html"));
    }

    [Fact]
    public async Task The_filter_picks_atlas_versions()
    {
        var store = await TestAtlas.StoreAsync(Temp.StoreFolder, TestAtlas.Manifest("v1"), TestAtlas.Manifest("v2", "Second"));

        var all = await GenerateAsync(store);
        Assert.Equal(2, all.Atlases);

        var one = await GenerateAsync(store, new SiteOptions { Include = SiteOptions.Selecting(["mnist-cnn/v2"]) });
        Assert.Equal(1, one.Atlases);
        Assert.False(Directory.Exists(Path.Combine(Temp.Site, "mnist-cnn", "v1")));
        Assert.Contains("Second", Page("index.html"));
        SiteCrawler.Run(Temp.Site);

        var none = await Assert.ThrowsAsync<SiteGenerationException>(() =>
            GenerateAsync(store, new SiteOptions { Include = SiteOptions.Selecting(["other"]) }));
        Assert.Contains("no atlas matched", none.Message);
        Assert.True(Directory.Exists(Path.Combine(Temp.Site, "mnist-cnn", "v2")));
    }

    [Fact]
    public async Task A_version_that_retention_has_begun_deleting_is_not_published()
    {
        // Its marker is written before anything goes; a deletion cut short right after it leaves the manifest too.
        var store = await TestAtlas.StoreAsync(Temp.StoreFolder, TestAtlas.Manifest("v1"), TestAtlas.Manifest("v2", "Second"));
        await store.PutJsonAsync(new AtlasKeys("mnist-cnn", "v1").Retired, new { });

        var result = await GenerateAsync(store);

        Assert.Equal(1, result.Atlases);
        Assert.False(Directory.Exists(Path.Combine(Temp.Site, "mnist-cnn", "v1")));
        Assert.DoesNotContain("v1/index.html", Page("index.html"));
        SiteCrawler.Run(Temp.Site);
    }

    [Fact]
    public async Task An_empty_store_gives_a_home_page_without_atlases()
    {
        var result = await GenerateAsync(new LocalFolderArtifactStore(Temp.StoreFolder));

        Assert.Equal((0, 1, 0), (result.Atlases, result.Pages, result.Images));
        Assert.Contains("No atlases yet.", Page("index.html"));
    }

    [GeneratedRegex("<img [^>]*>")]
    private static partial Regex ImgTag();
}
