using Microsoft.Playwright;

namespace Atlas.Site.Tests.Browser;

/// <summary>The layer grid's sort menu shows its options whole, on a desktop and on a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LayerControlsBrowserTests(BrowserFixture fixture)
{
    /// <summary>
    /// The select's room for text (its content box, less the width of its drop-down arrow, which Chromium draws inside
    /// it) minus the width of its longest option in the select's own font: below 0, that option is cut off when chosen.
    /// </summary>
    private const string Slack =
        "sel => { const s = getComputedStyle(sel); const span = document.createElement('span'); span.style.font = s.font; span.style.whiteSpace = 'pre'; " +
        "document.body.appendChild(span); let widest = 0; for (const o of sel.options) { span.textContent = o.textContent; widest = Math.max(widest, span.getBoundingClientRect().width); } " +
        "span.remove(); return sel.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - 16 - widest; }";

    [Theory]
    [InlineData(1280)]
    [InlineData(420)]
    public async Task The_sort_menu_is_wide_enough_for_its_longest_option(int width)
    {
        await using var watched = await fixture.OpenAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        var page = watched.Page;
        await page.GotoAsync(fixture.FileUrl("mnist-cnn/v2/conv/index.html"));
        var sort = page.Locator("[data-sort]");
        await Assertions.Expect(sort).ToBeVisibleAsync();

        Assert.Equal(3, await sort.Locator("option").CountAsync());
        var slack = await sort.EvaluateAsync<double>(Slack);
        Assert.True(slack >= 0, $"the longest option needs {-slack:0.#} px more than the menu has");
        var (scroll, client) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
        Assert.True(scroll <= client, $"the layer page is {scroll}px wide on a {client}px screen");
        watched.AssertNoProblems();
    }
}
