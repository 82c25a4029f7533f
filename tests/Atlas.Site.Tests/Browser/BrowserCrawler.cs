using Microsoft.Playwright;

namespace Atlas.Site.Tests.Browser;

/// <summary>
/// Opens every page reachable from a start page in a real browser, the way a reader would: each
/// page must load, every image on it must decode (lazy ones are made eager first), and every link,
/// stylesheet and script must stay inside the site. Console errors are collected by <see cref="WatchedPage"/>.
/// </summary>
internal static class BrowserCrawlerScripts
{
    /// <summary>Makes lazy images load now and waits for every image; returns the ones that did not decode.</summary>
    public const string LoadAllImages = """
        async () => {
          const images = [...document.images];
          images.forEach(i => { i.loading = 'eager'; });
          await Promise.all(images.map(i => i.complete ? null : new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
          return images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src);
        }
        """;
}

internal static class BrowserCrawler
{
    private const string LoadAllImages = BrowserCrawlerScripts.LoadAllImages;

    private const string Links = "() => [...document.querySelectorAll('a[href], link[href], script[src]')].map(e => e.href || e.src)";

    /// <returns>Every page visited (URLs without fragment), and how many images were checked.</returns>
    public static async Task<(IReadOnlySet<string> Pages, int Images)> CrawlAsync(WatchedPage watched, string startUrl, string siteBase)
    {
        var page = watched.Page;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<(string Url, string From)>([(startUrl, "(start)")]);
        var images = 0;
        while (queue.Count > 0)
        {
            var (url, from) = queue.Dequeue();
            if (!visited.Add(url)) continue;
            IResponse? response;
            try
            {
                response = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            }
            catch (PlaywrightException e)
            {
                watched.Problems.Add($"broken link to {url} from {from}: {e.Message.Split('\n')[0]}");
                continue;
            }
            if (response is not null && !response.Ok) watched.Problems.Add($"broken link to {url} from {from}: HTTP {response.Status}");

            var broken = await page.EvaluateAsync<string[]>(LoadAllImages);
            foreach (var src in broken) watched.Problems.Add($"broken image {src} on {url}");
            images += await page.EvaluateAsync<int>("() => document.images.length");

            foreach (var link in await page.EvaluateAsync<string[]>(Links))
            {
                var target = link.Split('#')[0];
                if (!target.StartsWith(siteBase, StringComparison.Ordinal))
                {
                    watched.Problems.Add($"link leaves the site: {link} on {url}");
                    continue;
                }
                if (target.EndsWith(".html", StringComparison.Ordinal) || target.EndsWith('/')) queue.Enqueue((target, url));
            }
        }
        return (visited, images);
    }
}
