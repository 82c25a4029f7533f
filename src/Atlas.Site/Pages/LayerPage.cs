using System.Globalization;
using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Storage.Manifests;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>
/// {atlas}/{version}/{layer}/index.html: a grid of every unit's visualization, each linking to its
/// unit page. The grid must stay fast for thousands of units: thumbnails load lazily with their size
/// known, tiles are a few hundred bytes each, and sorting and filtering reorder the DOM in the page's
/// script using the numbers in each tile's data-* attributes (no second copy of the data).
/// </summary>
internal static class LayerPage
{
    public static string Render(AtlasContext context, LayerLayout layer)
    {
        var page = layer.IndexPage;
        var layers = context.Atlas.Layers;
        var at = layers.ToList().IndexOf(layer);
        var hasSpread = layer.Units.Any(u => TiedExamples.Spread(u) is not null);
        var neverActive = layer.Units.Count(TiedExamples.NeverActive);
        var hasExamples = layer.Units.Any(u => u.TopExamples.Count > 0);

        var body = new StringBuilder(256 * layer.Units.Count + 2048);
        body.Append($"<h1>{E(layer.Layer.Name)}</h1>\n")
            .Append($"<p class=\"meta\">{E(layer.Layer.Kind)} · {E(Format.Shape(layer.Layer))} · {E(layer.Units.Count)} units");
        if (layer.Layer.Stats is { } stats)
        {
            body.Append($" · mean activation {E(Format.Number(stats.Mean))} · {E(Format.Percent(stats.FractionNonPositive))} of activations ≤ 0")
                .Append($" · {E(Format.Percent(stats.FractionChannelsActive))} of channels active per image");
        }
        if (neverActive > 0) body.Append($" · {E(neverActive)} {(neverActive == 1 ? "unit" : "units")} never active on the data set");
        var flat = layer.Units.Count(u => u.FlatMainPicture() is not null);
        if (flat > 0) body.Append($" · {E(flat)} active {(flat == 1 ? "unit" : "units")} with a nearly flat picture");
        body.Append("</p>\n<nav class=\"pager\" aria-label=\"Layers\">")
            .Append(at > 0 ? Link(page, layers[at - 1].IndexPage, $"← {layers[at - 1].Layer.Name}") : Disabled("← First layer"))
            .Append(Link(page, context.Atlas.IndexPage, "↑ Model overview"))
            .Append(at + 1 < layers.Count ? Link(page, layers[at + 1].IndexPage, $"{layers[at + 1].Layer.Name} →") : Disabled("Last layer →"))
            .Append("</nav>\n");
        if (layer.Layer.WeightsKey is { } weights)
        {
            body.Append("<details class=\"card\"><summary>Filters of this layer</summary>")
                .Append(context.Images.Img(page, weights, $"Weights of every filter of layer {layer.Layer.Name}", ImageTags.Large))
                .Append($"<p class=\"hint\">{E(Format.FilterLegend(layer.Layer, context.Manifest.Model))}</p>")
                .Append("</details>\n");
        }

        // The controls need the script; without it they would do nothing, so the script shows them.
        body.Append("<form class=\"controls\" data-grid-controls hidden>")
            .Append("<label>Filter <input type=\"search\" data-filter placeholder=\"unit number or class\" autocomplete=\"off\"></label>")
            .Append("<label>Sort by <select data-sort><option value=\"index\">unit number</option>");
        if (hasExamples) body.Append($"<option value=\"max\">max {UnitValues.Name(layer)} (highest first)</option>");
        if (hasSpread) body.Append("<option value=\"spread\">class selectivity (lowest entropy first)</option>");
        body.Append("</select></label><output data-count aria-live=\"polite\"></output></form>\n")
            .Append($"<p class=\"hint\">{E(UnitValues.GridLegend(layer, hasExamples))}</p>\n")
            .Append("<ul class=\"grid\" data-grid>\n");
        foreach (var unit in layer.Units)
        {
            body.Append(Tile(context, layer, unit, page));
        }
        body.Append("</ul>\n");

        var nav = new PageNav(
            at > 0 ? layers[at - 1].IndexPage : null,
            at + 1 < layers.Count ? layers[at + 1].IndexPage : null,
            context.Atlas.IndexPage);
        return PageLayout.Render(page, $"{layer.Layer.Name} · {context.AtlasName}", context.Crumbs(layer), body.ToString(), context.Extras(nav));
    }

    private static string Tile(AtlasContext context, LayerLayout layer, UnitManifest unit, string page)
    {
        var max = Format.MaxActivation(unit);
        var spread = TiedExamples.Spread(unit);
        var word = TopClass.Majority(unit) ?? TopClass.MixedWord(unit) ?? TiedExamples.Word(unit);
        var text = string.Join(' ', new[] { unit.Index.ToString(CultureInfo.InvariantCulture), unit.Label, word }.Where(t => t is not null))
            .ToLowerInvariant();
        var tile = new StringBuilder(320);
        tile.Append($"<li data-i=\"{E(unit.Index)}\"");
        if (max is { } m) tile.Append($" data-max=\"{E(Format.Data(m))}\"");
        if (spread is not null) tile.Append($" data-spread=\"{E(Format.Data(spread.EntropyBits))}\"");
        tile.Append($" data-text=\"{E(text)}\"><a href=\"{Href(page, layer.UnitPage(unit))}\">")
            .Append(context.Images.Img(page, unit.VisKey, $"Unit {Format.UnitName(unit)}", ImageTags.Thumbnail))
            .Append($"<span class=\"n\">{E(unit.Index)}</span>");
        var detail = unit.Label ?? word;
        // The tooltip names the most frequent class and its share, so "mixed classes" still says what leads.
        var why = unit.Label is null && spread is not null ? $" title=\"most frequent: {E(spread.DominantClass)}, {E(TopClass.Share(spread))}\"" : "";
        if (detail is not null) tile.Append($"<span class=\"l\"{why}>{E(detail)}</span>");
        if (max is { } value) tile.Append($"<span class=\"v\" title=\"max {UnitValues.Name(layer)} over the data set\">{E(Format.Number(value))}</span>");
        return tile.Append("</a></li>\n").ToString();
    }

    private static string Disabled(string text) => $"<span class=\"disabled\" aria-disabled=\"true\">{E(text)}</span>";
}
