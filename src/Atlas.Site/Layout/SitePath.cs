namespace Atlas.Site.Layout;

/// <summary>
/// Site paths are '/'-separated and relative to the site root ("mnist/v1/conv1/3.html"); links between
/// pages are relative to the linking page's folder, so a site opens from file:// and from any web folder.
/// </summary>
internal static class SitePath
{
    public const string Home = "index.html";
    public const string Stylesheet = "assets/site.css";
    /// <summary>Keyboard navigation, the heatmap toggle and the layer grid's sort and filter; every page loads it.</summary>
    public const string Script = "assets/site.js";
    /// <summary>The search page's code; its data is each version's <see cref="AtlasLayout.SearchIndex"/>.</summary>
    public const string SearchScript = "assets/search.js";
    /// <summary>The site's icon; without one, browsers ask a web server for /favicon.ico and log a 404.</summary>
    public const string Icon = "assets/favicon.svg";

    /// <summary>
    /// The site root's own entries besides the atlas folders; an atlas by one of these names would take its place
    /// (the config loader refuses such names too, in its own copy of this list, since Core cannot see the site).
    /// </summary>
    public static readonly IReadOnlyList<string> RootEntries = [Home, "assets"];

    /// <summary>The URL that leads from the page at <paramref name="fromPage"/> to <paramref name="target"/>.</summary>
    public static string Relative(string fromPage, string target)
    {
        var from = fromPage.Split('/')[..^1];
        var to = target.Split('/');
        var common = 0;
        while (common < from.Length && common < to.Length - 1 && from[common] == to[common]) common++;
        var ups = Enumerable.Repeat("..", from.Length - common);
        return string.Join('/', ups.Concat(to[common..]));
    }
}
