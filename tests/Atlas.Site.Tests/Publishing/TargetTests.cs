using Atlas.Site.Publishing;
using Atlas.Site.Serving;

namespace Atlas.Site.Tests.Publishing;

public sealed class TargetTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("azure-blob://$web", "$web", "ATLAS_STORAGE_CONNECTION")]
    [InlineData("azure-blob://$web/", "$web", "ATLAS_STORAGE_CONNECTION")]
    [InlineData("azure-blob://site-preview?connection=MY_CONN", "site-preview", "MY_CONN")]
    public void Blob_targets_name_a_container_and_the_variable_with_its_connection_string(string location, string container, string variable) =>
        Assert.Equal(new BlobSiteTarget(container, variable), BlobSiteTarget.Parse(location));

    [Theory]
    [InlineData("azure-blob://", "names no container")]
    [InlineData("azure-blob://$web/sub", "has a path after the container")]
    [InlineData("azure-blob://Bad_Name", "is not valid")]
    [InlineData("azure-blob://$web?key=abc", "unknown option 'key'")]
    [InlineData("azure-blob://$web?connection=DefaultEndpointsProtocol=https", "must name an environment variable")]
    public void Bad_blob_targets_say_what_is_wrong(string location, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => BlobSiteTarget.Parse(location)).Message);

    [Fact]
    public void A_missing_connection_string_names_the_variable_and_never_a_key()
    {
        var error = Assert.Throws<ArgumentException>(() => BlobSiteTarget.Parse("azure-blob://$web").Connect(_ => null));
        Assert.Contains("ATLAS_STORAGE_CONNECTION", error.Message);
        var bad = Assert.Throws<ArgumentException>(() => BlobSiteTarget.Parse("azure-blob://$web").Connect(_ => "AccountKey=secret;nonsense"));
        Assert.DoesNotContain("secret", bad.Message);
    }

    [Theory]
    [InlineData("a/index.html", "text/html; charset=utf-8", "no-cache")]
    [InlineData("assets/site.css", "text/css; charset=utf-8", "no-cache")]
    [InlineData("a/v/search-index.js", "text/javascript; charset=utf-8", "no-cache")]
    [InlineData("a/v/img/x.png", "image/png", "public, max-age=86400")]
    [InlineData(".circuit-atlas-site", "text/plain; charset=utf-8", "no-cache")]
    [InlineData("odd.bin", "application/octet-stream", "no-cache")]
    public void Each_kind_of_file_has_its_content_type_and_cache_policy(string path, string type, string cache)
    {
        Assert.Equal(type, ContentTypes.For(path));
        Assert.Equal(cache, ContentTypes.CacheControlFor(path));
    }

    [Fact]
    public async Task The_preview_server_serves_the_site_on_loopback_and_nothing_outside_it()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        await new SiteGenerator().GenerateAsync(store, _temp.Site, new SiteOptions(), null, CancellationToken.None);
        File.WriteAllText(Path.Combine(_temp.SiteParent, "secret.txt"), "outside");
        await using var server = StaticSiteServer.Start(_temp.Site);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        Assert.StartsWith("http://127.0.0.1:", server.Url);
        using var home = await http.GetAsync(server.Url);
        Assert.Equal(200, (int)home.StatusCode);
        Assert.Equal("text/html; charset=utf-8", home.Content.Headers.ContentType?.ToString());
        using var folder = await http.GetAsync(server.Url + "mnist-cnn/v1");
        Assert.Equal(302, (int)folder.StatusCode);
        using var png = await http.GetAsync(server.Url + "mnist-cnn/v1/img/layers/conv/units/0/vis.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.ToString());
        foreach (var path in new[] { "%2e%2e/secret.txt", "..%2fsecret.txt", "mnist-cnn/%2e%2e/%2e%2e/secret.txt", ".circuit-atlas-site", "nothing.html" })
        {
            using var response = await http.GetAsync(server.Url + path);
            Assert.True((int)response.StatusCode == 404, $"{path}: {(int)response.StatusCode}");
        }
        using var post = await http.PostAsync(server.Url, new StringContent(""));
        Assert.Equal(405, (int)post.StatusCode);

        // Links lead out of the site folder (publishing writes none): a linked file or folder is not served.
        File.CreateSymbolicLink(Path.Combine(_temp.Site, "leak.html"), Path.Combine(_temp.SiteParent, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_temp.Site, "up"), _temp.SiteParent);
        foreach (var path in new[] { "leak.html", "up/secret.txt", "up/site/index.html" })
        {
            using var response = await http.GetAsync(server.Url + path);
            Assert.True((int)response.StatusCode == 404, $"{path}: {(int)response.StatusCode}");
        }
        // A folder asked for with a doubled slash is redirected within this site, never to "//host/" (another site).
        Directory.CreateDirectory(Path.Combine(_temp.Site, "evil.com"));
        File.WriteAllText(Path.Combine(_temp.Site, "evil.com", "index.html"), "<p>an atlas named like a host</p>");
        using var doubled = await http.GetAsync(server.Url + "/evil.com");
        Assert.Equal(302, (int)doubled.StatusCode);
        Assert.Equal("/evil.com/", doubled.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_preview_server_names_what_is_wrong_with_its_folder_or_port()
    {
        var file = Path.Combine(_temp.Path, "index.html");
        File.WriteAllText(file, "<p>a page, not a folder</p>");
        Assert.Equal($"'{file}' is a file; give the site folder that holds index.html", Assert.Throws<ArgumentException>(() => StaticSiteServer.Start(file)).Message);
        var missing = Path.Combine(_temp.Path, "missing");
        Assert.Equal($"site folder '{missing}' does not exist", Assert.Throws<ArgumentException>(() => StaticSiteServer.Start(missing)).Message);
        Assert.EndsWith("has no index.html; generate it with `atlas publish` first", Assert.Throws<ArgumentException>(() => StaticSiteServer.Start(Directory.CreateDirectory(_temp.SiteParent).FullName)).Message);
        Assert.Equal("port 65536 is not between 0 and 65535", Assert.Throws<ArgumentException>(() => StaticSiteServer.Start(_temp.Path, 65536)).Message);

        await using var first = StaticSiteServer.Start(_temp.Path);
        var taken = Assert.Throws<ArgumentException>(() => StaticSiteServer.Start(_temp.Path, first.Port)).Message;
        Assert.StartsWith($"cannot listen on 127.0.0.1:{first.Port} (", taken);
        Assert.EndsWith("); choose another --port", taken);
    }
}
