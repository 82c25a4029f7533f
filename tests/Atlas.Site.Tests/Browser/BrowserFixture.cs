using Atlas.Storage;
using Microsoft.Playwright;

namespace Atlas.Site.Tests.Browser;

/// <summary>
/// One Chromium and one generated site for all browser tests: the rich atlas (v2, every optional
/// field filled) beside the plain one (v1), in a temporary folder.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private readonly TempFolder _temp = new();

    public IBrowser Browser { get; private set; } = null!;
    public string Site => _temp.Site;
    public IArtifactStore Store { get; private set; } = null!;
    public string StoreFolder => _temp.StoreFolder;

    public string FileUrl(string sitePath) => new Uri(Path.Combine(Site, sitePath)).AbsoluteUri;

    public async Task InitializeAsync()
    {
        Store = await RichAtlas.StoreAsync(_temp.StoreFolder);
        await new SiteGenerator().GenerateAsync(Store, Site, new SiteOptions(), null, CancellationToken.None);
        var launch = Chromium.LaunchOptions();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(launch);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        _temp.Dispose();
    }

    /// <summary>A fresh page whose console errors, page errors, failed requests and dialogs are recorded.</summary>
    public async Task<WatchedPage> OpenAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Generous: a 2-core CI machine running other test projects can be slow to render.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(30_000);
        return new WatchedPage(context, await context.NewPageAsync());
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>A page and everything that went wrong on it: any of these fails a test.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    public WatchedPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) => { if (message.Type == "error") Problems.Add($"console error on {page.Url}: {message.Text}"); };
        page.PageError += (_, error) => Problems.Add($"script error on {page.Url}: {error}");
        page.RequestFailed += (_, request) => Problems.Add($"request failed on {page.Url}: {request.Url} ({request.Failure})");
        page.Dialog += async (_, dialog) =>
        {
            Problems.Add($"a dialog opened on {page.Url}: {dialog.Message} (injected script?)");
            await dialog.DismissAsync();
        };
    }

    public IPage Page { get; }
    public List<string> Problems { get; } = [];

    public void AssertNoProblems() => Assert.True(Problems.Count == 0, string.Join("\n", Problems));

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
