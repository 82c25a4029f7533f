using System.Globalization;
using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>{atlas}/{version}/{layer}/{unit}.html: one unit's visualization and top dataset examples, with previous/next.</summary>
internal static class UnitPage
{
    public static string Render(AtlasContext context, LayerLayout layer, int position)
    {
        var unit = layer.Units[position];
        var page = layer.UnitPage(unit);
        var previous = position > 0 ? layer.Units[position - 1] : null;
        var next = position + 1 < layer.Units.Count ? layer.Units[position + 1] : null;
        var nav = new PageNav(previous is null ? null : layer.UnitPage(previous), next is null ? null : layer.UnitPage(next), layer.IndexPage);
        var name = Format.UnitName(unit);

        var body = new StringBuilder();
        body.Append($"<h1>{E(layer.Layer.Name)} · unit {E(name)}</h1>\n<nav class=\"pager\">")
            .Append(previous is null ? Disabled("← Previous") : Link(page, nav.Previous!, $"← Unit {Format.UnitName(previous)}"))
            .Append(Link(page, layer.IndexPage, $"↑ Layer {layer.Layer.Name}"))
            .Append(Link(page, context.Atlas.IndexPage, context.AtlasName))
            .Append(next is null ? Disabled("Next →") : Link(page, nav.Next!, $"Unit {Format.UnitName(next)} →"))
            .Append("</nav>\n<figure class=\"vis\">")
            .Append(context.Images.Img(page, unit.VisKey, context.VisAlt(layer, unit), ImageTags.Large, lazy: false))
            .Append($"<figcaption>{E(unit.ObjectiveDescription)}: final value <strong>{E(Format.Number(unit.Objective))}</strong></figcaption></figure>\n")
            .Append("<h2>Top dataset examples</h2>\n");
        if (unit.TopExamples.Count == 0)
        {
            body.Append("<p>No examples were recorded for this unit.</p>\n");
        }
        else
        {
            body.Append("<ol class=\"examples\">\n");
            foreach (var example in unit.TopExamples)
            {
                var label = Format.ClassName(context.Manifest.Dataset, example.Label);
                var alt = string.Create(CultureInfo.InvariantCulture, $"Dataset image {example.ImageIndex}, class {label}");
                var where = string.Create(CultureInfo.InvariantCulture, $"image {example.ImageIndex} at ({example.Y}, {example.X})");
                body.Append("<li>")
                    .Append(context.Images.Img(page, example.ImageKey, alt, ImageTags.Thumbnail))
                    .Append($"<strong>{E(Format.Number(example.Value))}</strong> <span class=\"label\">{E(label)}</span> <small>{E(where)}</small>")
                    .Append("</li>\n");
            }
            body.Append("</ol>\n");
        }
        body.Append("<p class=\"hint\">Keys: ← previous unit, → next unit, ↑ layer</p>\n");
        return PageLayout.Render(page, $"{layer.Layer.Name} unit {name} · {context.AtlasName}", context.Crumbs(layer, unit), body.ToString(), nav);
    }

    private static string Disabled(string text) => $"<span class=\"disabled\" aria-disabled=\"true\">{E(text)}</span>";
}
