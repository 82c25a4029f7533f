using System.Text;
using Atlas.Site.Html;
using Atlas.Storage.Manifests;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>{atlas}/{version}/index.html: the model, its dataset and recipe, per-layer statistics, and its layers in order.</summary>
internal static class ModelPage
{
    public static string Render(AtlasContext context)
    {
        var page = context.Atlas.IndexPage;
        var m = context.Manifest;
        var body = new StringBuilder();
        body.Append($"<h1>{E(m.Title)}</h1>\n")
            .Append($"<p class=\"lead\">{E(m.Model.Architecture)}, its units seen on {E(m.Dataset.Name)}: {E(m.Layers.Count)} layers, ")
            .Append($"{E(m.Layers.Sum(l => l.Units.Count))} units. Open a layer to see every unit, or ")
            .Append(Link(page, context.Atlas.SearchPage, "search by layer:unit or class")).Append(".</p>\n")
            .Append("<div class=\"overview\">\n<dl class=\"facts card\">\n")
            .Append($"<dt>Atlas</dt><dd>{E(m.Atlas)}, version <code>{E(m.Version)}</code></dd>\n")
            .Append($"<dt>Architecture</dt><dd>{E(m.Model.Architecture)}, input {E(Format.InputShape(m.Model))}</dd>\n")
            .Append($"<dt>Checkpoint</dt><dd>{E(m.Model.CheckpointFile)}<br><code class=\"hash\">{E(m.Model.CheckpointSha256)}</code></dd>\n")
            .Append($"<dt>Dataset</dt><dd>{E(m.Dataset.Name)} ({E(Format.DatasetSize(m.Dataset))}, {E(m.Dataset.ClassNames.Count)} classes)</dd>\n");
        if (m.Model.TestAccuracy is { } accuracy)
            body.Append($"<dt>Test accuracy</dt><dd>{E(Format.Accuracy(accuracy))}</dd>\n");
        body.Append(UnreadableImages(m));
        body.Append(DatasetAccuracy(m));
        body.Append($"<dt>Recipe</dt><dd>{E(Format.Recipe(m.Recipe))}</dd>\n")
            .Append($"<dt>Created</dt><dd><time datetime=\"{E(Format.IsoDate(m.CreatedAt))}\">{E(Format.Date(m.CreatedAt))}</time></dd>\n");
        body.Append(OtherVersions(context, page))
            .Append("</dl>\n");
        var charts = StatsChart.Render(m.Layers);
        if (charts.Length > 0)
            body.Append("<section class=\"card stats\" aria-labelledby=\"stats-h\"><h2 id=\"stats-h\">Layer statistics over the dataset</h2>\n").Append(charts).Append("</section>\n");
        body.Append("</div>\n");

        body.Append("<h2>Layers</h2>\n<div class=\"table-wrap\"><table class=\"layers reflow\">\n<thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\">Layer</th>")
            .Append("<th scope=\"col\">Kind</th><th scope=\"col\">Shape (C×H×W)</th><th scope=\"col\" class=\"num\">Units</th>");
        // Dead units are what a researcher looks for first in a layer; counted only where the dataset pass ran.
        var anyExamples = context.Atlas.Layers.Any(l => l.Units.Any(u => u.TopExamples.Count >= 2));
        if (anyExamples)
            body.Append("<th scope=\"col\" class=\"num\" title=\"units that no dataset image activates (every top example is 0)\">Never active</th>");
        // Only where contrasts were measured: an older manifest's units would all read 0.
        var anyContrast = anyExamples && FlatPictures.Measured(context.Atlas.Layers.SelectMany(l => l.Units));
        if (anyContrast)
            body.Append("<th scope=\"col\" class=\"num\" title=\"units the data set activates whose main picture stayed nearly flat\">Flat pictures</th>");
        var anyStats = context.Atlas.Layers.Any(l => l.Layer.Stats is not null);
        if (anyStats)
            body.Append("<th scope=\"col\" class=\"num\">Mean</th><th scope=\"col\" class=\"num\">≤ 0</th><th scope=\"col\" class=\"num\">Active</th>");
        body.Append("<th scope=\"col\">First units</th></tr></thead>\n<tbody>\n");
        var number = 1;
        foreach (var layer in context.Atlas.Layers)
        {
            var stats = layer.Layer.Stats;
            body.Append("<tr>")
                .Append($"<td class=\"num\" data-label=\"#\">{E(number++)}</td>")
                .Append($"<th scope=\"row\" data-label=\"Layer\">{Link(page, layer.IndexPage, layer.Layer.Name)}</th>")
                .Append($"<td data-label=\"Kind\">{E(layer.Layer.Kind)}</td>")
                .Append($"<td data-label=\"Shape\">{E(Format.Shape(layer.Layer))}</td>")
                .Append($"<td class=\"num\" data-label=\"Units\">{E(layer.Units.Count)}</td>");
            if (anyExamples) body.Append($"<td class=\"num\" data-label=\"Never active\">{E(layer.Units.Count(TiedExamples.NeverActive))}</td>");
            if (anyContrast) body.Append($"<td class=\"num\" data-label=\"Flat pictures\">{E(layer.Units.Count(u => u.FlatMainPicture() is not null))}</td>");
            if (anyStats)
            {
                body.Append($"<td class=\"num\" data-label=\"Mean\">{(stats is null ? "—" : E(Format.Number(stats.Mean)))}</td>")
                    .Append($"<td class=\"num\" data-label=\"≤ 0\">{(stats is null ? "—" : E(Format.Percent(stats.FractionNonPositive)))}</td>")
                    .Append($"<td class=\"num\" data-label=\"Active\">{(stats is null ? "—" : E(Format.Percent(stats.FractionChannelsActive)))}</td>");
            }
            body.Append("<td data-label=\"First units\"><ul class=\"strip\">");
            foreach (var unit in layer.Units.Take(context.Options.StripLength))
            {
                var img = context.Images.Img(page, unit.VisKey, context.VisAlt(layer, unit), ImageTags.Strip);
                body.Append($"<li><a href=\"{Href(page, layer.UnitPage(unit))}\">{img}</a></li>");
            }
            body.Append("</ul></td></tr>\n");
        }
        body.Append("</tbody>\n</table></div>\n");

        var withWeights = context.Atlas.Layers.Where(l => l.Layer.WeightsKey is not null).ToList();
        if (withWeights.Count > 0)
        {
            body.Append("<h2>Filters</h2>\n<div class=\"weights\">\n");
            foreach (var layer in withWeights)
            {
                var alt = $"Weights of every filter of layer {layer.Layer.Name}";
                body.Append("<figure class=\"card\">")
                    .Append(context.Images.Img(page, layer.Layer.WeightsKey!, alt, ImageTags.Large))
                    .Append($"<figcaption>{Link(page, layer.IndexPage, layer.Layer.Name)}: its filters, as images. {E(Format.FilterLegend(layer.Layer, m.Model))}</figcaption></figure>\n");
            }
            body.Append("</div>\n");
        }
        var nav = new PageNav(null, context.Atlas.Layers.Count > 0 ? context.Atlas.Layers[0].IndexPage : null, SitePath.Home);
        return PageLayout.Render(page, context.AtlasName, context.Crumbs(), body.ToString(), context.Extras(nav));
    }

    /// <summary>The atlas's other versions: linked when this site holds them, named (with hash and date) otherwise.</summary>
    /// <summary>
    /// The model's accuracy on the atlas's own data set (counted in the dataset pass, not the trainer's test accuracy), with
    /// a note when it is below twice chance, or why it was not measured; nothing for an atlas made before it was counted.
    /// </summary>
    /// <summary>The images left out because they could not be read: the count beside the data set's, and the files to look at.</summary>
    private static string UnreadableImages(AtlasManifest m)
    {
        if (m.Dataset.Unreadable is not { Count: > 0 } unreadable) return "";
        var count = Format.Count(unreadable.Count);
        var files = string.Join("", unreadable.First.Select(i => $"<li><code>{E(i.Path)}</code> (image {E(i.Index)}): {E(i.Reason)}</li>"));
        var more = unreadable.Count > unreadable.First.Count ? $"<li>and {E(unreadable.Count - unreadable.First.Count)} more</li>" : "";
        return $"<dt>Unreadable images</dt><dd>{E(count)} could not be read and are left out of the examples and counts<ul class=\"plain\">{files}{more}</ul></dd>\n";
    }

    private static string DatasetAccuracy(AtlasManifest m)
    {
        if (m.Accuracy is not { } accuracy) return "";
        if (Format.DatasetAccuracy(accuracy) is not { } figure)
            return $"<dt>Accuracy on the data set</dt><dd>not measured: {E(accuracy.NotMeasured ?? "nothing was counted")}</dd>\n";
        var images = Format.Count(accuracy.Images);
        var warning = accuracy.BelowTwiceChance(m.Dataset.ClassNames.Count)
            ? "<br><span class=\"meta\">Below twice chance: the model is probably not fed as it was trained (check model.mean/std, input size and class order).</span>"
            : "";
        return $"<dt>Accuracy on the data set ({E(images)} images)</dt><dd>{E(figure)} ({E(Format.Count(accuracy.Correct))} correct){warning}</dd>\n";
    }

    private static string OtherVersions(AtlasContext context, string page)
    {
        var known = context.Manifest.OtherVersions
            .Select(v => (v.Version, v.CheckpointSha256, v.CreatedAt))
            .Concat(context.Site.Where(a => a != context.Atlas && a.Manifest.Atlas == context.Manifest.Atlas)
                .Select(a => (a.Manifest.Version, a.Manifest.Model.CheckpointSha256, a.Manifest.CreatedAt)))
            .Where(v => v.Version != context.Manifest.Version)
            .GroupBy(v => v.Version).Select(g => g.First())
            .OrderByDescending(v => v.CreatedAt)
            .ToList();
        if (known.Count == 0) return "";
        var html = new StringBuilder("<dt>Other versions</dt><dd><ul class=\"plain\">");
        foreach (var v in known)
        {
            var target = context.Version(v.Version);
            var name = target is null ? $"<code>{E(v.Version)}</code> (not in this site)" : Link(page, target.IndexPage, v.Version);
            html.Append($"<li>{name} · {E(Format.Day(v.CreatedAt))} · <code title=\"{E(v.CheckpointSha256)}\">{E(Format.ShortHash(v.CheckpointSha256))}</code></li>");
        }
        return html.Append("</ul></dd>\n").ToString();
    }
}
