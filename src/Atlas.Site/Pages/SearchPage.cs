using System.Text;
using System.Text.Json;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>
/// {atlas}/{version}/search.html and its data, search-index.js: find a unit by "layer:unit", a unit
/// number, a layer name or a class name, in the browser. The data is a script that sets one global
/// rather than a JSON file because browsers block fetch() of local files, and the site must work
/// from file://. Paths in it are relative to the search page.
/// </summary>
internal static class SearchPage
{
    /// <summary>The global search-index.js sets; assets/search.js reads it.</summary>
    public const string Global = "circuitAtlasSearch";

    public static string Render(AtlasContext context)
    {
        var page = context.Atlas.SearchPage;
        var body = new StringBuilder();
        body.Append($"<h1>Search {E(context.Manifest.Title)}</h1>\n")
            .Append("<div class=\"search-page\" data-search-page>\n")
            .Append(PageLayout.SearchForm(page, page, "q", "", context.SearchExample))
            .Append("<p class=\"hint\">Type <code>layer:unit</code> (for example <code>")
            .Append(E(context.SearchExample))
            .Append("</code>), a unit number, a layer name, or a class name (its class unit, then the units whose top examples are more than half that class). <kbd>Enter</kbd> opens the first result.</p>\n")
            .Append("<p class=\"meta\" data-search-status aria-live=\"polite\"></p>\n")
            .Append("<ol class=\"results\" data-results></ol>\n")
            .Append("<noscript><p>Search needs JavaScript. Every unit is also reachable from the layer pages:</p></noscript>\n")
            .Append("<ul class=\"plain inline\">");
        foreach (var layer in context.Atlas.Layers) body.Append("<li>").Append(Link(page, layer.IndexPage, layer.Layer.Name)).Append("</li>");
        body.Append("</ul>\n</div>\n");
        var extras = context.Extras(new PageNav(null, null, context.Atlas.IndexPage), context.Atlas.SearchIndex, SitePath.SearchScript) with { OwnSearch = true };
        return PageLayout.Render(page, $"Search · {context.AtlasName}", context.Crumbs(last: "Search"), body.ToString(), extras);
    }

    /// <summary>
    /// The index: per layer its name, its folder, and per unit [index, label, majority class, thumbnail]. The class is
    /// there only when it holds most of the top examples (<see cref="TopClass"/>), so a class search finds the units
    /// that are mostly about it, not every unit where it happened to lead.
    /// </summary>
    public static byte[] Index(AtlasContext context)
    {
        var page = context.Atlas.SearchPage;
        var layers = context.Atlas.Layers.Select(layer => new
        {
            name = layer.Layer.Name,
            page = SitePath.Relative(page, layer.IndexPage),
            units = layer.Units.Select(u => new object?[]
            {
                u.Index,
                u.Label,
                TopClass.Majority(u),
                SitePath.Relative(page, context.Images.Path(u.VisKey)),
            }),
        });
        var data = new { title = context.Manifest.Title, version = context.Manifest.Version, layers };
        // The default encoder escapes <, >, & and quotes, so no class name can end the script or inject code.
        var json = JsonSerializer.Serialize(data);
        return Encoding.UTF8.GetBytes($"window.{Global} = {json};\n");
    }
}
