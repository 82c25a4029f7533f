using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

public sealed class SiteReplacementTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<SiteResult> GenerateAsync(IArtifactStore store) =>
        new SiteGenerator().GenerateAsync(store, _temp.Site, new SiteOptions(), null, CancellationToken.None);

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(_temp.Site, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(_temp.Site, f), File.ReadAllBytes);

    [Fact]
    public async Task A_second_generation_replaces_the_first()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        await GenerateAsync(store);
        Assert.True(Directory.Exists(Path.Combine(_temp.Site, "mnist-cnn", "v1", "logits")));

        var changed = TestAtlas.Manifest(title: "Retitled") is var m ? m with { Layers = [m.Layers[0]] } : null!;
        await store.PutJsonAsync(new AtlasKeys(TestAtlas.Atlas, TestAtlas.Version).Manifest, changed);
        var result = await GenerateAsync(store);

        Assert.Equal(7, result.Pages); // home, model, search, layer, 3 units
        Assert.False(Directory.Exists(Path.Combine(_temp.Site, "mnist-cnn", "v1", "logits")));
        Assert.Contains("Retitled", File.ReadAllText(Path.Combine(_temp.Site, "index.html")));
        Assert.Equal(["site"], _temp.SiteParentEntries());
        SiteCrawler.Run(_temp.Site);
    }

    [Fact]
    public async Task A_failed_generation_names_the_missing_image_and_leaves_the_previous_site_intact()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        await GenerateAsync(store);
        var before = Snapshot();

        // A second atlas version whose last unit names an image nobody wrote.
        var keys = new AtlasKeys(TestAtlas.Atlas, "v2");
        var broken = TestAtlas.Manifest("v2");
        await TestAtlas.PutAsync(store, broken);
        const string missing = "mnist-cnn/v2/layers/logits/units/9/vis.png";
        var logits = broken.Layers[1];
        broken = broken with { Layers = [broken.Layers[0], logits with { Units = [.. logits.Units, TestAtlas.Unit(keys, "logits", 9, "nine")] }] };
        await store.PutJsonAsync(keys.Manifest, broken);

        var error = await Assert.ThrowsAsync<SiteGenerationException>(() => GenerateAsync(store));

        Assert.Contains($"'{missing}' (named by mnist-cnn/v2/atlas.json layer 'logits' unit 9)", error.Message);
        // Unit 9's dataset images (9 and 14) were never written either; every missing image is named.
        Assert.StartsWith("3 image(s) missing", error.Message);
        Assert.Contains("'mnist-cnn/v2/dataset/images/14.png' (named by mnist-cnn/v2/atlas.json layer 'logits' unit 9 example 14)", error.Message);
        var after = Snapshot();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, file => Assert.Equal(file.Value, after[file.Key]));
        Assert.Equal(["site"], _temp.SiteParentEntries());
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("Assets")]
    public async Task An_atlas_named_like_the_sites_own_entries_fails_before_anything_is_written(string name)
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        await store.PutJsonAsync($"{name}/v1/atlas.json", TestAtlas.Manifest() with { Atlas = name });

        var error = await Assert.ThrowsAsync<SiteGenerationException>(() => GenerateAsync(store));

        Assert.Equal($"manifest '{name}/v1/atlas.json': an atlas named '{name}' would take the place of the site's own '{name}'; delete its folder from the store and run it again under another name", error.Message);
        Assert.Empty(_temp.SiteParentEntries());
    }

    [Fact]
    public async Task An_unsafe_image_key_fails_before_anything_is_written()
    {
        var keys = new AtlasKeys(TestAtlas.Atlas, TestAtlas.Version);
        var manifest = TestAtlas.Manifest();
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder, manifest);
        var conv = manifest.Layers[0];
        var unsafeUnit = conv.Units[0] with { VisKey = "../../outside.png" };
        await store.PutJsonAsync(keys.Manifest, manifest with { Layers = [conv with { Units = [unsafeUnit] }] });

        var error = await Assert.ThrowsAsync<SiteGenerationException>(() => GenerateAsync(store));

        Assert.Contains("'../../outside.png'", error.Message);
        Assert.Empty(_temp.SiteParentEntries());
    }

    [Fact]
    public async Task Two_units_with_one_index_are_an_error()
    {
        var keys = new AtlasKeys(TestAtlas.Atlas, TestAtlas.Version);
        var manifest = TestAtlas.Manifest();
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder, manifest);
        var conv = manifest.Layers[0];
        await store.PutJsonAsync(keys.Manifest, manifest with { Layers = [conv with { Units = [.. conv.Units, conv.Units[1]] }] });

        var error = await Assert.ThrowsAsync<SiteGenerationException>(() => GenerateAsync(store));

        Assert.Contains("mnist-cnn/v1/conv/1.html", error.Message);
        Assert.Empty(_temp.SiteParentEntries());
    }

    [Fact]
    public async Task A_folder_that_is_not_a_site_is_never_replaced()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        Directory.CreateDirectory(_temp.Site);
        File.WriteAllText(Path.Combine(_temp.Site, "notes.txt"), "mine");

        var error = await Assert.ThrowsAsync<SiteGenerationException>(() => GenerateAsync(store));

        Assert.Contains("refusing to replace", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(_temp.Site, "notes.txt")));
        Assert.Equal(["site"], _temp.SiteParentEntries());
    }

    [Fact]
    public async Task A_cancelled_generation_leaves_nothing_behind()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(message =>
        {
            if (message.Contains("layer logits", StringComparison.Ordinal)) cancel.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new SiteGenerator().GenerateAsync(store, _temp.Site, new SiteOptions(), progress, cancel.Token));

        Assert.Empty(_temp.SiteParentEntries());
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this reports on the caller's thread, so the test is deterministic.</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
