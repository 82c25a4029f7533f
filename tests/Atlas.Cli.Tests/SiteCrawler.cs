using System.Text.RegularExpressions;

namespace Atlas.Cli.Tests;

/// <summary>Follows every relative href/src from a site's index and reports targets that do not exist.</summary>
public static partial class SiteCrawler
{
    [GeneratedRegex("(?:href|src)=\"([^\"#?]+)[^\"]*\"")]
    private static partial Regex Links();

    public static (int Pages, int Files, List<string> Broken) Crawl(string siteRoot)
    {
        var root = Path.GetFullPath(siteRoot);
        var pending = new Queue<string>([Path.Combine(root, "index.html")]);
        var visited = new HashSet<string>();
        var broken = new List<string>();
        int pages = 0;
        while (pending.TryDequeue(out var file))
        {
            if (!visited.Add(file)) continue;
            if (!file.StartsWith(root, StringComparison.Ordinal)) { broken.Add($"outside the site: {file}"); continue; }
            if (!File.Exists(file)) { broken.Add(file); continue; }
            if (!file.EndsWith(".html", StringComparison.Ordinal)) continue;
            pages++;
            foreach (Match link in Links().Matches(File.ReadAllText(file)))
            {
                var target = System.Net.WebUtility.HtmlDecode(link.Groups[1].Value);
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                pending.Enqueue(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(target))));
            }
        }
        return (pages, visited.Count, broken);
    }
}
