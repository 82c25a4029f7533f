using System.Text.Json;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Playwright;

namespace Atlas.Site.Tests.Browser;

/// <summary>
/// A data set whose class name is one very long token (a file-name-like label, a concatenated path): the pages that show
/// it wrap it rather than grow wider than the screen.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LongNameBrowserTests(BrowserFixture fixture)
{
    private static readonly string LongName = "Sneaker_" + string.Concat(Enumerable.Repeat("VeryLongClassNameWithoutSpaces", 12));

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task A_class_name_of_one_long_word_wraps_on_the_unit_and_search_pages(int width, int height)
    {
        using var temp = new TempFolder();
        // The rich atlas with its "Sneaker" class renamed: the unit's class, its most frequent class and the search results.
        var manifest = JsonSerializer.Deserialize<AtlasManifest>(JsonSerializer.Serialize(RichAtlas.Manifest()).Replace($"\"{RichAtlas.Sneaker}\"", $"\"{LongName}\""))!;
        var store = new LocalFolderArtifactStore(temp.StoreFolder);
        await RichAtlas.PutAsync(store, manifest);
        await new SiteGenerator().GenerateAsync(store, temp.Site, new SiteOptions(), null, CancellationToken.None);
        await using var watched = await fixture.OpenAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = watched.Page;

        var version = $"{TestAtlas.Atlas}/{RichAtlas.Version}";
        foreach (var path in new[] { $"{version}/logits/2.html", $"{version}/conv/2.html", $"{version}/search.html?q=sneaker_", $"{version}/search.html?q=" + new string('q', 3000) })
        {
            await page.GotoAsync(new Uri(Path.Combine(temp.Site, path.Split('?')[0])).AbsoluteUri + (path.Contains('?') ? "?" + path.Split('?')[1] : ""));
            var (scroll, client) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
            Assert.True(scroll <= client, $"{path} is {scroll}px wide on a {client}px screen");
        }
        Assert.Contains(LongName, await page.ContentAsync() + await GetSearchTitlesAsync(page, temp.Site, version));
        watched.AssertNoProblems();
    }

    private static async Task<string> GetSearchTitlesAsync(IPage page, string site, string version)
    {
        await page.GotoAsync(new Uri(Path.Combine(site, version, "search.html")).AbsoluteUri + "?q=sneaker_");
        return string.Join("\n", await page.Locator("[data-results] .title").AllTextContentsAsync());
    }
}
