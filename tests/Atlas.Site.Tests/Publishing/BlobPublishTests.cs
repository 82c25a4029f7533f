using System.Net;
using Atlas.Site.Publishing;
using Atlas.Site.Tests.Browser;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Azure.Storage.Blobs;
using Xunit.Abstractions;

namespace Atlas.Site.Tests.Publishing;

/// <summary>Publishing to Azurite, read back over plain HTTP from its blob endpoint as a browser would.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BlobPublishTests(BrowserFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly HttpClient Http = new();
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Task<PublishResult> PublishAsync(IArtifactStore store, string container, SiteOptions? options = null,
        IProgress<string>? progress = null, CancellationToken ct = default) =>
        SitePublisher.PublishAsync(store, $"azure-blob://{container}?connection={Azurite.ConnectionVariable}", options ?? new SiteOptions(),
            progress, ct, Azurite.Environment_);

    private static string Url(string container, string path) => $"{Azurite.BlobEndpoint}/{container}/{path}";

    [Fact]
    public async Task The_web_container_serves_every_page_with_its_content_type_and_cache_headers_and_crawls_clean()
    {
        const string web = BlobSiteTarget.StaticWebsiteContainer;
        await Azurite.PublicContainerAsync(web);

        var first = await PublishAsync(fixture.Store, web);

        using (var index = await Http.GetAsync(Url(web, "index.html")))
        {
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            Assert.Equal("text/html; charset=utf-8", index.Content.Headers.ContentType?.ToString());
            Assert.Equal("no-cache", index.Headers.CacheControl?.ToString());
            var html = await index.Content.ReadAsStringAsync();
            Assert.Contains("mnist-cnn/v2/index.html", html);
            Assert.Contains("MNIST CNN &amp; friends", html);
        }
        await AssertServedAsync(Url(web, "assets/site.css"), "text/css; charset=utf-8", "no-cache");
        await AssertServedAsync(Url(web, "assets/site.js"), "text/javascript; charset=utf-8", "no-cache");
        await AssertServedAsync(Url(web, "mnist-cnn/v2/search-index.js"), "text/javascript; charset=utf-8", "no-cache");
        await AssertServedAsync(Url(web, "assets/favicon.svg"), "image/svg+xml", ContentTypes.CacheImages);
        await AssertServedAsync(Url(web, "mnist-cnn/v2/conv/1.html"), "text/html; charset=utf-8", "no-cache");
        await AssertServedAsync(Url(web, "mnist-cnn/v2/img/layers/conv/units/1/vis.png"), "image/png", ContentTypes.CacheImages);

        // Every page, image, stylesheet and script, as a reader's browser gets them from the container.
        await using var watched = await fixture.OpenAsync();
        var (pages, _) = await BrowserCrawler.CrawlAsync(watched, Url(web, "index.html"), Url(web, ""));
        watched.AssertNoProblems();
        Assert.Equal(21, pages.Count);

        // Publishing the same site again uploads nothing, and its upload step counts every file it compared.
        var uploads = new List<SiteProgress>();
        var second = await PublishAsync(fixture.Store, web, new SiteOptions { Counts = p => { lock (uploads) if (p.Step.StartsWith("upload", StringComparison.Ordinal)) uploads.Add(p); } });
        Assert.Equal(0, second.Blob!.Uploaded);
        Assert.Equal($"upload to {web}", uploads[0].Step);
        Assert.Equal(0, uploads[0].Done);
        Assert.Equal(second.Blob.Unchanged, uploads[^1].Done);
        Assert.Equal(uploads[^1].Total, uploads[^1].Done);
        Assert.Equal(first.Blob!.Uploaded + first.Blob.Unchanged, second.Blob.Unchanged);
        output.WriteLine($"first publish: {first.Blob}; second: {second.Blob}");
    }

    [Fact]
    public async Task A_publish_that_fails_part_way_leaves_the_previous_site_and_index_intact_and_the_next_one_completes()
    {
        var name = "site-" + Guid.NewGuid().ToString("N")[..20];
        var container = await Azurite.PublicContainerAsync(name);
        try
        {
            var store = await RichAtlas.StoreAsync(_temp.StoreFolder);
            await PublishAsync(store, name, new SiteOptions { Include = SiteOptions.Selecting(["mnist-cnn/v1"]) });
            var before = await GetStringAsync(Url(name, "index.html"));
            Assert.DoesNotContain("v2/index.html", before);

            // The next publish adds v2; it stops while v2's unit pages are going up.
            using var cancel = new CancellationTokenSource();
            var progress = new SynchronousProgress(m => { if (m.Contains("mnist-cnn/v2 (unit pages)", StringComparison.Ordinal)) cancel.Cancel(); });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PublishAsync(store, name, null, progress, cancel.Token));

            Assert.Equal(before, await GetStringAsync(Url(name, "index.html")));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(Url(name, "mnist-cnn/v1/conv/0.html")));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(Url(name, "mnist-cnn/v1/index.html")));
            // v2's images went up before its pages, and no page links to v2 yet.
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(Url(name, "mnist-cnn/v2/img/layers/conv/units/0/vis.png")));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(Url(name, "mnist-cnn/v2/index.html")));

            var complete = await PublishAsync(store, name);
            Assert.Contains("mnist-cnn/v2/index.html", await GetStringAsync(Url(name, "index.html")));
            Assert.True(complete.Blob!.Unchanged > 0, "files the failed publish already uploaded are not uploaded again");

            // A site without v1 deletes v1's files, after its new index is live.
            var onlyV2 = await PublishAsync(store, name, new SiteOptions { Include = SiteOptions.Selecting(["mnist-cnn/v2"]) });
            Assert.True(onlyV2.Blob!.Deleted > 0);
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(Url(name, "mnist-cnn/v1/index.html")));
            Assert.DoesNotContain("mnist-cnn/v1/index.html", await GetStringAsync(Url(name, "index.html")));
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task A_container_holding_something_else_is_never_published_over()
    {
        var name = "other-" + Guid.NewGuid().ToString("N")[..20];
        var container = await Azurite.PublicContainerAsync(name);
        try
        {
            await container.UploadBlobAsync("notes.txt", BinaryData.FromString("mine"));
            var store = await TestAtlas.StoreAsync(_temp.StoreFolder);

            var error = await Assert.ThrowsAsync<SiteGenerationException>(() => PublishAsync(store, name));

            Assert.Contains("refusing to publish over it", error.Message);
            Assert.Equal("mine", await GetStringAsync(Url(name, "notes.txt")));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(Url(name, "index.html")));
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task A_publish_says_whether_readers_may_open_the_container_at_its_blob_address()
    {
        var name = "private-" + Guid.NewGuid().ToString("N")[..20];
        var container = Azurite.Container(name);
        try
        {
            var store = await TestAtlas.StoreAsync(_temp.StoreFolder);

            // A container the publisher creates is private, as Azure makes them: readers are refused the page just published.
            var closed = await PublishAsync(store, name);
            Assert.False(closed.Blob!.AnonymousRead);
            var refused = await StatusAsync(Url(name, "index.html"));
            Assert.NotEqual(HttpStatusCode.OK, refused);
            output.WriteLine($"anonymous GET of a private container's page: {(int)refused}");

            await container.SetAccessPolicyAsync(Azure.Storage.Blobs.Models.PublicAccessType.Blob);
            var open = await PublishAsync(store, name);
            Assert.True(open.Blob!.AnonymousRead);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(Url(name, "index.html")));
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    private static async Task AssertServedAsync(string url, string contentType, string cacheControl)
    {
        using var response = await Http.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(cacheControl, response.Headers.CacheControl?.ToString());
    }

    private static async Task<string> GetStringAsync(string url) => await Http.GetStringAsync(url);

    private static async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        return response.StatusCode;
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
