using Microsoft.Playwright;

namespace Atlas.Site.Tests.Browser;

/// <summary>
/// A 420-px-wide window (a phone held upright): wide tables show every column without sideways scrolling, and the unit
/// page keeps its circuit kernels. The page fitting its width is not enough: a table scrolled inside its own box fits too,
/// with its right columns out of sight.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NarrowScreenBrowserTests(BrowserFixture fixture)
{
    private const string V2 = "mnist-cnn/v2";
    private static readonly BrowserNewContextOptions Narrow = new() { ViewportSize = new ViewportSize { Width = 420, Height = 900 } };

    /// <summary>The cells of the page's tables (not their headers, which a reflowed table keeps for screen readers only) that lie outside the window's width.</summary>
    private const string CellsOutside =
        "() => [...document.querySelectorAll('tbody th, tbody td')].filter(c => { const r = c.getBoundingClientRect(); " +
        "return r.width === 0 || r.left < 0 || r.right > document.documentElement.clientWidth + 0.5; }).map(c => c.textContent.trim() || c.dataset.label)";

    [Theory]
    [InlineData("index.html", "table.versions", "Test accuracy")]
    [InlineData(V2 + "/index.html", "table.layers", "Active")]
    public async Task Every_column_of_a_wide_table_is_in_sight_on_a_narrow_screen(string path, string table, string column)
    {
        await using var watched = await fixture.OpenAsync(Narrow);
        var page = watched.Page;
        await page.GotoAsync(fixture.FileUrl(path));

        var (scroll, client) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
        Assert.True(scroll <= client, $"{path} is {scroll}px wide on a {client}px screen");
        Assert.True(await page.Locator($"{table} tbody tr").CountAsync() > 0);
        var outside = await page.EvaluateAsync<string[]>(CellsOutside);
        Assert.True(outside.Length == 0, $"{path}: cells out of sight: {string.Join(", ", outside)}");
        // Each cell says which column it is.
        Assert.Equal(column + " ", await page.Locator($"{table} tbody td[data-label='{column}']").First.EvaluateAsync<string>("c => getComputedStyle(c, '::before').content.replaceAll('\"', '') + ' '"));
        watched.AssertNoProblems();
    }

    [Fact]
    public async Task A_unit_page_keeps_its_circuit_kernels_on_a_narrow_screen()
    {
        await using var watched = await fixture.OpenAsync(Narrow);
        var page = watched.Page;
        await page.GotoAsync(fixture.FileUrl($"{V2}/logits/1.html"));

        var kernels = page.Locator(".links .kernel");
        Assert.True(await kernels.CountAsync() > 0);
        foreach (var kernel in await kernels.AllAsync())
        {
            Assert.True(await kernel.IsVisibleAsync(), "a kernel is hidden");
            var box = (await kernel.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= 420, $"a kernel lies at x {box.X}–{box.X + box.Width}");
        }
        var (scroll, client) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
        Assert.True(scroll <= client, $"the unit page is {scroll}px wide on a {client}px screen");
        watched.AssertNoProblems();
    }
}
