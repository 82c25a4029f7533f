using Atlas.Site.Publishing;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests.Publishing;

/// <summary>
/// Republishing a site from a blob store (Azurite), to a folder or to a blob container, takes the images the store still
/// holds unchanged from the site it replaces, instead of downloading every image of every version again, and fetches
/// the rest.
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

    private string SitePath(string key) => $"{TestAtlas.Atlas}/{TestAtlas.Version}/img/{key[(_keys.Root.Length + 1)..]}";

    private Task<SiteResult> GenerateAsync(bool keep = true) =>
        new SiteGenerator().GenerateAsync(_store, _temp.Site, new SiteOptions { KeepUnchangedImages = keep }, null, CancellationToken.None);

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

        var refetched = await GenerateAsync(keep: false);
        Assert.Equal(0, refetched.ImagesKept);
        Assert.NotEqual(inode, FileStat.Inode(SiteImage(same)));
        Assert.Equal(await _store.GetAsync(same), File.ReadAllBytes(SiteImage(same)));
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

    [Fact]
    public async Task Republishing_to_a_container_leaves_unchanged_images_in_place_and_sends_only_the_changed_one()
    {
        var name = "site-keep-" + Guid.NewGuid().ToString("N")[..20];
        var container = await Azurite.PublicContainerAsync(name);
        try
        {
            Task<PublishResult> PublishAsync() => SitePublisher.PublishAsync(
                _store, $"azure-blob://{name}?connection={Azurite.ConnectionVariable}", new SiteOptions(), null, CancellationToken.None, Azurite.Environment_);
            async Task<byte[]> DownloadAsync(string path) => (await container.GetBlobClient(path).DownloadContentAsync()).Value.Content.ToArray();

            var first = await PublishAsync();
            Assert.Equal(0, first.Site.ImagesKept);
            var same = container.GetBlobClient(SitePath(_keys.UnitVis("conv", 1)));
            var sameTag = (await same.GetPropertiesAsync()).Value.ETag;
            var page = await DownloadAsync($"{TestAtlas.Atlas}/{TestAtlas.Version}/conv/1.html");
            var changed = _keys.UnitVis("conv", 2);
            await _store.PutAsync(changed, TestPng.Heat(TestAtlas.VisSize, TestAtlas.VisSize), "image/png");

            var second = await PublishAsync();

            Assert.Equal(first.Site.Images, second.Site.Images);
            Assert.Equal(second.Site.Images - 1, second.Site.ImagesKept);
            Assert.Equal(1, second.Blob!.Uploaded);
            Assert.Equal(0, second.Blob.Deleted);
            Assert.Equal(first.Blob!.Uploaded, second.Blob.Uploaded + second.Blob.Unchanged);
            Assert.Equal(sameTag, (await same.GetPropertiesAsync()).Value.ETag);
            Assert.Equal(await _store.GetAsync(changed), await DownloadAsync(SitePath(changed)));
            Assert.Equal(page, await DownloadAsync($"{TestAtlas.Atlas}/{TestAtlas.Version}/conv/1.html"));

            // An image published without its size (by an earlier release) is fetched and sent once more, to record it.
            await same.SetMetadataAsync(new Dictionary<string, string>());
            var third = await PublishAsync();
            Assert.Equal(third.Site.Images - 1, third.Site.ImagesKept);
            Assert.Equal(1, third.Blob!.Uploaded);
            Assert.Equal($"{TestAtlas.VisSize}", (await same.GetPropertiesAsync()).Value.Metadata["width"]);
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }
}
