using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>
/// Images from a local folder store are hard-linked into the site rather than copied (a whole GoogLeNet atlas shows over
/// 100,000), and the site must still keep the bytes it was published with whatever the store does afterwards.
/// </summary>
public sealed class ImageLinkTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly AtlasKeys _keys = new(TestAtlas.Atlas, TestAtlas.Version);

    public void Dispose() => _temp.Dispose();

    private string SiteImage(string key) => Path.Combine(_temp.Site, TestAtlas.Atlas, TestAtlas.Version, "img", key[(_keys.Root.Length + 1)..]);

    private async Task GenerateAsync(IArtifactStore store, bool link) =>
        await new SiteGenerator().GenerateAsync(store, _temp.Site, new SiteOptions { LinkLocalImages = link }, null, CancellationToken.None);

    [Fact]
    public async Task A_linked_image_keeps_its_bytes_when_the_store_replaces_or_deletes_it()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        var vis = _keys.UnitVis("conv", 1);
        var published = await store.GetAsync(vis);
        await GenerateAsync(store, link: true);

        Assert.Equal(2, FileStat.LinkCount(SiteImage(vis)));
        Assert.Equal(published, File.ReadAllBytes(SiteImage(vis)));

        // A rerun with --force writes the same key again; the published site must not change under the reader.
        await store.PutAsync(vis, TestPng.Heat(TestAtlas.VisSize, TestAtlas.VisSize), "image/png");
        Assert.Equal(published, File.ReadAllBytes(SiteImage(vis)));
        Assert.Equal(1, FileStat.LinkCount(SiteImage(vis)));

        var example = _keys.DatasetImage(5);
        await store.DeleteAsync(example);
        Assert.Equal(TestPng.OnePixel, File.ReadAllBytes(SiteImage(example)));
    }

    [Fact]
    public async Task Images_are_copies_when_links_are_off_and_pages_give_their_sizes_either_way()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        var vis = _keys.UnitVis("conv", 2);
        await GenerateAsync(store, link: false);

        Assert.Equal(1, FileStat.LinkCount(SiteImage(vis)));
        Assert.Equal(await store.GetAsync(vis), File.ReadAllBytes(SiteImage(vis)));
        var unitPage = File.ReadAllText(Path.Combine(_temp.Site, TestAtlas.Atlas, TestAtlas.Version, "conv", "2.html"));
        Assert.Contains("width=\"320\" height=\"320\"", unitPage);

        await GenerateAsync(store, link: true);
        Assert.Equal(2, FileStat.LinkCount(SiteImage(vis)));
        Assert.Equal(unitPage, File.ReadAllText(Path.Combine(_temp.Site, TestAtlas.Atlas, TestAtlas.Version, "conv", "2.html")));
    }
}
