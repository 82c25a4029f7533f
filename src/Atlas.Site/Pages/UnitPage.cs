using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Storage.Manifests;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>
/// {atlas}/{version}/{layer}/{unit}.html: one unit, everything the manifest knows about it —
/// visualizations, dataset examples, circuit neighbours, other versions, and how to reproduce it —
/// with previous/next/up for the keyboard. Sections for optional manifest fields appear only when
/// the field has something in it.
/// </summary>
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

        var body = new StringBuilder(8192);
        body.Append("<div class=\"unit-head\">")
            .Append($"<h1><span class=\"layer-name\">{E(layer.Layer.Name)}</span> unit {E(unit.Index)}");
        if (unit.Label is not null) body.Append($" <span class=\"chip\">{E(unit.Label)}</span>");
        body.Append("</h1>\n<nav class=\"pager\" aria-label=\"Units\">")
            .Append(previous is null ? Disabled("← Previous") : Link(page, nav.Previous!, $"← Unit {Format.UnitName(previous)}"))
            .Append(Link(page, layer.IndexPage, $"↑ Layer {layer.Layer.Name}"))
            .Append(next is null ? Disabled("Next →") : Link(page, nav.Next!, $"Unit {Format.UnitName(next)} →"))
            .Append("</nav></div>\n");

        body.Append("<div class=\"hero\">\n<figure class=\"vis main card\">")
            .Append(context.Images.Img(page, unit.VisKey, context.VisAlt(layer, unit), ImageTags.Large, lazy: false))
            .Append($"<figcaption>{E(unit.ObjectiveDescription)}<br>final objective <strong>{E(Format.Number(unit.Objective))}</strong>")
            .Append(unit.FlatMainPicture() is { } flat ? $"<br><span class=\"meta flat-picture\">{E(FlatPictures.Explanation(flat))}</span>" : "")
            .Append("</figcaption></figure>\n")
            .Append("<div class=\"side\">\n")
            .Append(Facts(context, layer, unit, page))
            .Append(UnitSections.ClassSpread(unit))
            .Append("</div>\n</div>\n")
            .Append(UnitSections.Visualizations(context, layer, unit, page))
            .Append(UnitSections.Examples(context, layer, unit, page))
            .Append(CircuitSection.Render(context, layer, unit, page))
            .Append(UnitSections.Versions(context, layer, unit, page))
            .Append(UnitSections.Citation(context, layer, unit, page));
        return PageLayout.Render(page, $"{layer.Layer.Name} unit {name} · {context.AtlasName}", context.Crumbs(layer, unit), body.ToString(), context.Extras(nav));
    }

    private static string Facts(AtlasContext context, LayerLayout layer, UnitManifest unit, string page)
    {
        var html = new StringBuilder("<dl class=\"facts card\">\n");
        html.Append($"<dt>Layer</dt><dd>{Link(page, layer.IndexPage, layer.Layer.Name)} ({E(layer.Layer.Kind)}, {E(Format.Shape(layer.Layer))})</dd>\n")
            .Append($"<dt>Unit</dt><dd><code>{E(Format.UnitRef(layer.Layer.Name, unit.Index))}</code></dd>\n");
        if (unit.Label is not null) html.Append($"<dt>Class</dt><dd>{E(unit.Label)}</dd>\n");
        if (Format.MaxActivation(unit) is { } max)
        {
            var note = TiedExamples.NeverActive(unit) ? "(never active on the data set)" : TiedExamples.TieValue(unit) is null ? "(top dataset example)" : "(every top example: they tie)";
            html.Append($"<dt>Max {UnitValues.Name(layer)}</dt><dd>{E(Format.Number(max))} <span class=\"meta\">{E(note)}</span></dd>\n");
        }
        if (TiedExamples.Spread(unit) is { } spread)
            html.Append($"<dt>Most frequent class</dt><dd>{E(spread.DominantClass)} <span class=\"meta\">({E(TopClass.Share(spread))}; {E(Format.Number(spread.EntropyBits))} bits of class entropy)</span></dd>\n");
        html.Append($"<dt>Model</dt><dd>{Link(page, context.Atlas.IndexPage, context.AtlasName)}</dd>\n");
        return html.Append("</dl>\n").ToString();
    }

    private static string Disabled(string text) => $"<span class=\"disabled\" aria-disabled=\"true\">{E(text)}</span>";
}
