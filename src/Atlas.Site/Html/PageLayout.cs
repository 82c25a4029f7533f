using System.Text;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Html;

/// <summary>One step of the breadcrumb trail; the last one (the page itself) has no path.</summary>
internal sealed record Crumb(string Text, string? Path = null);

/// <summary>Previous/next/up links of a page: in the head for the keyboard script, and in the pager.</summary>
internal sealed record PageNav(string? Previous, string? Next, string Up);

/// <summary>The frame every page shares: head, stylesheet, breadcrumbs, and main content.</summary>
internal static class PageLayout
{
    public static string Render(string pagePath, string title, IReadOnlyList<Crumb> crumbs, string body, PageNav? nav = null)
    {
        var html = new StringBuilder(body.Length + 1024);
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append($"<title>{E(title)}</title>\n")
            .Append($"<link rel=\"stylesheet\" href=\"{Href(pagePath, SitePath.Stylesheet)}\">\n");
        if (nav is not null)
        {
            if (nav.Previous is not null) html.Append($"<link rel=\"prev\" href=\"{Href(pagePath, nav.Previous)}\">\n");
            if (nav.Next is not null) html.Append($"<link rel=\"next\" href=\"{Href(pagePath, nav.Next)}\">\n");
            html.Append($"<link rel=\"up\" href=\"{Href(pagePath, nav.Up)}\">\n")
                .Append($"<script src=\"{Href(pagePath, SitePath.Script)}\" defer></script>\n");
        }
        html.Append("</head>\n<body>\n<nav class=\"crumbs\" aria-label=\"Breadcrumb\">");
        for (var i = 0; i < crumbs.Count; i++)
        {
            if (i > 0) html.Append(" <span aria-hidden=\"true\">›</span> ");
            var crumb = crumbs[i];
            html.Append(crumb.Path is null ? $"<span aria-current=\"page\">{E(crumb.Text)}</span>" : Link(pagePath, crumb.Path, crumb.Text));
        }
        html.Append("</nav>\n<main>\n").Append(body).Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }
}
