using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests.Publishing;

/// <summary>
/// Republishing a folder site from a blob store (Azurite) takes the images the store still holds unchanged from the
/// site it replaces, instead of downloading every image of every version again, and fetches the rest.
/// </summary>
public sealed class PreviousSiteImageTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private readonly string _container = "atlas-keep-" + Guid.NewGuid().ToString("N")[..20];
    private readonly AtlasKeys _keys = new(TestAtlas.Atlas, TestAtlas.Version);
    private IArtifactStore _store = null!;

    public async Task InitializeAsync()
    {
        await Azurite.EnsureReachableAsync();
        _store = new ResilientArtifactStore(AzureBlobArtifactStore.FromConnectionString(Azurite.ConnectionString, _container));
        await TestAtlas.PutAsync(_store, TestAtlas.Manifest());
    }

    public async Task DisposeAsync()
    {
        await Azurite.Container(_container).DeleteIfExistsAsync();
        _temp.Dispose();
    }

    private string SiteImage(string key) => Path.Combine(_temp.Site, TestAtlas.Atlas, TestAtlas.Version, "img", key[(_keys.Root.Length + 1)..]);

    private string UnitPage(int unit) => Path.Combine(_temp.Site, TestAtlas.Atlas, TestAtlas.Version, "conv", $"{unit}.html");

    private Task<SiteResult> GenerateAsync() => new SiteGenerator().GenerateAsync(_store, _temp.Site, new SiteOptions(), null, CancellationToken.None);

    [Fact]
    public async Task Unchanged_images_are_kept_from_the_previous_site_and_a_changed_one_is_fetched()
    {
        var first = await GenerateAsync();
        Assert.Equal(0, first.ImagesKept);
        var same = _keys.UnitVis("conv", 1);
        var changed = _keys.UnitVis("conv", 2);
        var inode = FileStat.Inode(SiteImage(same));
        var page = File.ReadAllText(UnitPage(1));
        await _store.PutAsync(changed, TestPng.Heat(TestAtlas.VisSize, TestAtlas.VisSize), "image/png");

        var second = await GenerateAsync();

        Assert.Equal(first.Images, second.Images);
        Assert.Equal(second.Images - 1, second.ImagesKept);
        Assert.Equal(inode, FileStat.Inode(SiteImage(same)));
        Assert.Equal(await _store.GetAsync(same), File.ReadAllBytes(SiteImage(same)));
        Assert.Equal(await _store.GetAsync(changed), File.ReadAllBytes(SiteImage(changed)));
        Assert.Equal(page, File.ReadAllText(UnitPage(1)));
    }

    [Fact]
    public async Task An_image_edited_in_the_site_is_replaced_by_the_stores_and_a_deleted_one_comes_back()
    {
        await GenerateAsync();
        var edited = _keys.UnitVis("conv", 0);
        var deleted = _keys.DatasetImage(1);
        File.WriteAllBytes(SiteImage(edited), TestPng.Heat(TestAtlas.VisSize, TestAtlas.VisSize));
        File.Delete(SiteImage(deleted));

        var second = await GenerateAsync();

        Assert.Equal(second.Images - 2, second.ImagesKept);
        Assert.Equal(await _store.GetAsync(edited), File.ReadAllBytes(SiteImage(edited)));
        Assert.Equal(await _store.GetAsync(deleted), File.ReadAllBytes(SiteImage(deleted)));
    }
}
