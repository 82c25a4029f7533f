using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>{atlas}/{version}/{layer}/index.html: a grid of every unit's visualization, each linking to its unit page.</summary>
internal static class LayerPage
{
    public static string Render(AtlasContext context, LayerLayout layer)
    {
        var page = layer.IndexPage;
        var body = new StringBuilder();
        body.Append($"<h1>{E(layer.Layer.Name)}</h1>\n")
            .Append($"<p class=\"meta\">{E(layer.Layer.Kind)} · {E(Format.Shape(layer.Layer))} · {E(layer.Units.Count)} units</p>\n")
            .Append("<ul class=\"grid\">\n");
        foreach (var unit in layer.Units)
        {
            var img = context.Images.Img(page, unit.VisKey, context.VisAlt(layer, unit), ImageTags.Thumbnail);
            body.Append($"<li><a href=\"{Href(page, layer.UnitPage(unit))}\">{img}<span>{E(Format.UnitName(unit))}</span></a></li>\n");
        }
        body.Append("</ul>\n");
        return PageLayout.Render(page, $"{layer.Layer.Name} · {context.AtlasName}", context.Crumbs(layer), body.ToString());
    }
}
