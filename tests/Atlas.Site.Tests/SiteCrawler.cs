using System.Net;
using System.Text.RegularExpressions;

namespace Atlas.Site.Tests;

/// <summary>
/// Follows every href and src from index.html, as a browser opening the site from file:// would,
/// and fails on a link that is absolute, external, leaves the site folder, or names a missing file.
/// </summary>
internal static partial class SiteCrawler
{
    [GeneratedRegex("""\b(?:href|src)="([^"]*)"|\b(?:href|src)='([^']*)'""")]
    private static partial Regex UrlAttribute();

    public sealed record Crawl(IReadOnlySet<string> Pages, IReadOnlySet<string> Files);

    public static Crawl Run(string site)
    {
        var root = Path.GetFullPath(site) + Path.DirectorySeparatorChar;
        var pages = new HashSet<string>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([Path.Combine(root, "index.html")]);
        Assert.True(File.Exists(queue.Peek()), "the site has no index.html");
        while (queue.Count > 0)
        {
            var page = queue.Dequeue();
            if (!pages.Add(page)) continue;
            foreach (Match match in UrlAttribute().Matches(File.ReadAllText(page)))
            {
                var url = WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
                if (url.StartsWith('#') && url.Length > 1) continue; // a place on the same page (the skip link)
                var where = $"'{url}' in {Path.GetRelativePath(root, page)}";
                Assert.False(url.Length == 0, $"empty link in {where}");
                Assert.False(url.Contains(':') || url.StartsWith('/') || url.StartsWith('\\'), $"absolute or external link {where}");
                Assert.False(url.Contains('?') || url.Contains('#'), $"query or fragment in {where} (fails from file://)");
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, url.Replace('/', Path.DirectorySeparatorChar)));
                Assert.True(target.StartsWith(root, StringComparison.Ordinal), $"link {where} leads outside the site");
                Assert.True(File.Exists(target), $"link {where} names a missing file");
                files.Add(target);
                if (target.EndsWith(".html", StringComparison.Ordinal)) queue.Enqueue(target);
            }
        }
        return new Crawl(pages, files);
    }
}
