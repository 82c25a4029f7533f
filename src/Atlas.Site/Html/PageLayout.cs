using System.Text;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Html;

/// <summary>One step of the breadcrumb trail; the last one (the page itself) has no path.</summary>
internal sealed record Crumb(string Text, string? Path = null);

/// <summary>Previous/next/up links of a page: in the head for the keyboard script, and in the pager.</summary>
internal sealed record PageNav(string? Previous, string? Next, string? Up);

/// <summary>What a page adds to the shared frame: keyboard targets, the version's search page, extra scripts.</summary>
internal sealed record PageExtras
{
    public PageNav? Nav { get; init; }
    /// <summary>The atlas version's search page; the header's search box submits to it. Null on pages outside a version.</summary>
    public string? SearchPage { get; init; }
    /// <summary>A unit of this atlas in the search box's form ("conv1:0"), for its placeholder.</summary>
    public string SearchExample { get; init; } = "conv1:0";
    /// <summary>Site paths of scripts this page needs besides <see cref="SitePath.Script"/>, in load order.</summary>
    public IReadOnlyList<string> Scripts { get; init; } = [];
    /// <summary>Is the page's own search form (the search page) the header's? Then the header shows none.</summary>
    public bool OwnSearch { get; init; }
}

/// <summary>The frame every page shares: head, stylesheet, header with breadcrumbs and search, main content, footer.</summary>
internal static class PageLayout
{
    public const string MainId = "main";

    public static string Render(string pagePath, string title, IReadOnlyList<Crumb> crumbs, string body, PageExtras? extras = null)
    {
        extras ??= new PageExtras();
        var html = new StringBuilder(body.Length + 2048);
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"Circuit Atlas\">\n")
            .Append($"<title>{E(title)}</title>\n")
            .Append($"<link rel=\"icon\" href=\"{Href(pagePath, SitePath.Icon)}\" type=\"image/svg+xml\">\n")
            .Append($"<link rel=\"stylesheet\" href=\"{Href(pagePath, SitePath.Stylesheet)}\">\n");
        if (extras.Nav is { } nav)
        {
            if (nav.Previous is not null) html.Append($"<link rel=\"prev\" href=\"{Href(pagePath, nav.Previous)}\">\n");
            if (nav.Next is not null) html.Append($"<link rel=\"next\" href=\"{Href(pagePath, nav.Next)}\">\n");
            if (nav.Up is not null) html.Append($"<link rel=\"up\" href=\"{Href(pagePath, nav.Up)}\">\n");
        }
        html.Append($"<script src=\"{Href(pagePath, SitePath.Script)}\" defer></script>\n");
        foreach (var script in extras.Scripts) html.Append($"<script src=\"{Href(pagePath, script)}\" defer></script>\n");
        html.Append("</head>\n<body>\n")
            .Append($"<a class=\"skip\" href=\"#{MainId}\">Skip to content</a>\n")
            .Append("<header class=\"top\">\n")
            .Append($"<a class=\"brand\" href=\"{Href(pagePath, SitePath.Home)}\"><span class=\"logo\" aria-hidden=\"true\"></span>Circuit Atlas</a>\n")
            .Append("<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>");
        // The home page's only crumb would repeat the brand beside it.
        foreach (var crumb in crumbs.Count > 1 ? crumbs : [])
        {
            html.Append("<li>")
                .Append(crumb.Path is null ? $"<span aria-current=\"page\">{E(crumb.Text)}</span>" : Link(pagePath, crumb.Path, crumb.Text))
                .Append("</li>");
        }
        html.Append("</ol></nav>\n");
        if (extras.SearchPage is { } search && !extras.OwnSearch) html.Append(SearchForm(pagePath, search, "top-q", "", extras.SearchExample));
        html.Append("</header>\n")
            .Append($"<main id=\"{MainId}\" tabindex=\"-1\">\n").Append(body).Append("</main>\n")
            .Append("<footer class=\"foot\"><p>Made with Circuit Atlas. Static pages: they work offline, from a folder or any static host. ")
            .Append("Keys: <kbd>←</kbd> <kbd>→</kbd> previous and next, <kbd>↑</kbd> up, <kbd>/</kbd> search.</p></footer>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>A GET form to a version's search page; the page reads ?q= itself (works from file:// too).</summary>
    /// <param name="example">A unit of this atlas as the box takes it ("conv1:0"): its placeholder names one that exists.</param>
    public static string SearchForm(string pagePath, string searchPage, string inputId, string value, string example) =>
        $"<form class=\"search\" role=\"search\" action=\"{Href(pagePath, searchPage)}\" method=\"get\">" +
        $"<label class=\"sr-only\" for=\"{inputId}\">Search this atlas by layer:unit or class name</label>" +
        $"<input id=\"{inputId}\" name=\"q\" type=\"search\" value=\"{E(value)}\" placeholder=\"Search: {E(example)}, a class…\" autocomplete=\"off\" spellcheck=\"false\" data-search-input>" +
        "<button type=\"submit\">Search</button></form>\n";
}
