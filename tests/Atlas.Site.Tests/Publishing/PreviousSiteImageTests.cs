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

    private string SiteImage(string key) => SiteImage(_keys, key);

    private string SiteImage(AtlasKeys keys, string key) => Path.Combine(_temp.Site, TestAtlas.Atlas, keys.Version, "img", key[(keys.Root.Length + 1)..]);

    private string UnitPage(int unit) => Path.Combine(_temp.Site, TestAtlas.Atlas, TestAtlas.Version, "conv", $"{unit}.html");

    private string SitePath(string key) => SitePath(_keys, key);

    private static string SitePath(AtlasKeys keys, string key) => $"{TestAtlas.Atlas}/{keys.Version}/img/{key[(keys.Root.Length + 1)..]}";

    private Task<SiteResult> GenerateAsync(bool keep = true, string? only = null) =>
        new SiteGenerator().GenerateAsync(_store, _temp.Site,
            new SiteOptions { KeepUnchangedImages = keep, Include = only is null ? null : SiteOptions.Selecting([only]) }, null, CancellationToken.None);

    private Task<PublishResult> PublishAsync(string container, string? only = null) => SitePublisher.PublishAsync(
        _store, $"azure-blob://{container}?connection={Azurite.ConnectionVariable}",
        new SiteOptions { Include = only is null ? null : SiteOptions.Selecting([only]) }, null, CancellationToken.None, Azurite.Environment_);

    /// <summary>A second version in the store, with the first's pictures except one unit's, which is new.</summary>
    private async Task<(AtlasKeys Keys, string NewPicture)> AddSecondVersionAsync()
    {
        var keys = new AtlasKeys(TestAtlas.Atlas, "v2");
        await TestAtlas.PutAsync(_store, TestAtlas.Manifest("v2"));
        var fresh = keys.UnitVis("conv", 0);
        await _store.PutAsync(fresh, TestPng.Heat(TestAtlas.VisSize, TestAtlas.VisSize), "image/png");
        return (keys, fresh);
    }

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
        var edited = _keys.UnitVis("conv", 0);
        var deleted = _keys.DatasetImage(1);
        // Pictures no other place shows, so that only the store has them.
        await _store.PutAsync(edited, TestPng.Gray(TestAtlas.VisSize, TestAtlas.VisSize - 1), "image/png");
        await _store.PutAsync(deleted, TestPng.Gray(3, 3), "image/png");
        await GenerateAsync();
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
            Task<PublishResult> PublishAsync() => this.PublishAsync(name);
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

            // Images published without their size (by an earlier release) are fetched and sent once more, to record it.
            await foreach (var blob in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{TestAtlas.Atlas}/{TestAtlas.Version}/img/" }))
                await container.GetBlobClient(blob.Name).SetMetadataAsync(new Dictionary<string, string>());
            var third = await PublishAsync();
            Assert.Equal(0, third.Site.ImagesKept);
            Assert.Equal(third.Site.Images, third.Blob!.Uploaded);
            Assert.Equal($"{TestAtlas.VisSize}", (await same.GetPropertiesAsync()).Value.Metadata["width"]);
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task A_new_versions_pictures_that_an_older_version_shows_are_linked_from_its_copy()
    {
        var (v2, fresh) = await AddSecondVersionAsync();
        await GenerateAsync(only: "mnist-cnn/v1");
        var shared = v2.DatasetImage(1);

        var both = await GenerateAsync();

        Assert.Equal(both.Images - 1, both.ImagesKept);
        // A link to the file v1's copy of the picture in the new site also links to.
        var v1Pictures = Directory.EnumerateFiles(Path.Combine(_temp.Site, TestAtlas.Atlas, TestAtlas.Version, "img"), "*", SearchOption.AllDirectories);
        Assert.Contains(FileStat.Inode(SiteImage(v2, shared)), v1Pictures.Select(FileStat.Inode));
        Assert.Equal(await _store.GetAsync(shared), File.ReadAllBytes(SiteImage(v2, shared)));
        Assert.Equal(await _store.GetAsync(fresh), File.ReadAllBytes(SiteImage(v2, fresh)));
    }

    [Fact]
    public async Task A_new_versions_pictures_that_an_older_version_shows_are_copied_within_the_container()
    {
        var (v2, fresh) = await AddSecondVersionAsync();
        var name = "site-copy-" + Guid.NewGuid().ToString("N")[..20];
        var container = await Azurite.PublicContainerAsync(name);
        try
        {
            await PublishAsync(name, only: "mnist-cnn/v1");

            var both = await PublishAsync(name);

            Assert.Equal(both.Site.Images - 1, both.Site.ImagesKept);
            var copied = (await container.GetBlobClient(SitePath(v2, v2.DatasetImage(1))).DownloadContentAsync()).Value;
            Assert.Equal(await _store.GetAsync(v2.DatasetImage(1)), copied.Content.ToArray());
            // Copied by the service from v1's copy of the same picture, not sent from here.
            Assert.Contains($"/{name}/{TestAtlas.Atlas}/v1/img/", copied.Details.CopySource?.AbsolutePath);
            Assert.Equal(ContentTypes.CacheImages, copied.Details.CacheControl);
            Assert.Equal("image/png", copied.Details.ContentType);
            Assert.Equal("1", copied.Details.Metadata["width"]);
            var uploaded = (await container.GetBlobClient(SitePath(v2, fresh)).DownloadContentAsync()).Value;
            Assert.Equal(await _store.GetAsync(fresh), uploaded.Content.ToArray());
            Assert.Equal($"{TestAtlas.VisSize}", uploaded.Details.Metadata["height"]);
            Assert.Null(uploaded.Details.CopySource);
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }
}
