using System.Text;
using Atlas.Site.Html;
using Atlas.Storage.Manifests;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>index.html: every model in the site, each with its versions (newest first) and a strip of its units.</summary>
internal static class HomePage
{
    private const int Preview = 12;

    public static string Render(SiteOptions options, IReadOnlyList<AtlasContext> atlases)
    {
        const string page = SitePath.Home;
        var body = new StringBuilder();
        body.Append($"<h1>{E(options.Title)}</h1>\n")
            .Append("<p class=\"lead\">Feature visualizations, dataset examples and circuits for every unit of every layer. ")
            .Append("Open a model version to browse its layers; on any page <kbd>/</kbd> searches by <code>layer:unit</code> or class name.</p>\n");
        if (atlases.Count == 0)
        {
            body.Append("<p>No atlases yet.</p>\n");
            return PageLayout.Render(page, options.Title, [new Crumb(options.Title)], body.ToString());
        }

        foreach (var model in atlases.GroupBy(a => a.Manifest.Atlas).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var versions = model.OrderByDescending(a => a.Manifest.CreatedAt).ThenBy(a => a.Manifest.Version, StringComparer.Ordinal).ToList();
            var latest = versions[0];
            var m = latest.Manifest;
            body.Append("<section class=\"card model\">\n")
                .Append($"<h2>{Link(page, latest.Atlas.IndexPage, m.Title)}</h2>\n")
                .Append($"<p class=\"meta\">{E(m.Model.Architecture)} · input {E(Format.InputShape(m.Model))} · {E(m.Dataset.Name)}")
                .Append($" · {E(m.Layers.Count)} layers · {E(m.Layers.Sum(l => l.Units.Count))} units</p>\n")
                .Append(PreviewStrip(page, latest))
                .Append($"<div class=\"table-wrap\"><table class=\"versions reflow\">\n<caption>Versions of {E(m.Atlas)}</caption>\n")
                .Append("<thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Created</th><th scope=\"col\">Checkpoint (SHA-256)</th>")
                .Append("<th scope=\"col\" class=\"num\">Test accuracy</th><th scope=\"col\" class=\"num\">Accuracy on the data set</th>")
                .Append("<th scope=\"col\" class=\"num\">Units</th></tr></thead>\n<tbody>\n");
            foreach (var version in versions)
            {
                var v = version.Manifest;
                body.Append("<tr>")
                    .Append($"<td data-label=\"Version\">{Link(page, version.Atlas.IndexPage, v.Version)}{(version == latest ? " <span class=\"tag\">latest</span>" : "")}</td>")
                    .Append($"<td data-label=\"Created\"><time datetime=\"{E(Format.IsoDate(v.CreatedAt))}\">{E(Format.Date(v.CreatedAt))}</time></td>")
                    .Append($"<td data-label=\"Checkpoint\"><code title=\"{E(v.Model.CheckpointSha256)}\">{E(Format.ShortHash(v.Model.CheckpointSha256))}</code> <span class=\"meta\">{E(v.Model.CheckpointFile)}</span></td>")
                    .Append($"<td class=\"num\" data-label=\"Test accuracy\">{(v.Model.TestAccuracy is { } a ? E(Format.Accuracy(a)) : "—")}</td>")
                    .Append($"<td class=\"num\" data-label=\"Accuracy on the data set\">{DatasetAccuracyCell(v)}</td>")
                    .Append($"<td class=\"num\" data-label=\"Units\">{E(v.Layers.Sum(l => l.Units.Count))}</td>")
                    .Append("</tr>\n");
            }
            body.Append("</tbody>\n</table></div>\n</section>\n");
        }
        return PageLayout.Render(page, options.Title, [new Crumb(options.Title)], body.ToString());
    }

    /// <summary>The figure with its image count; "—" with the reason as a tooltip when not measured (the model page says it in full).</summary>
    private static string DatasetAccuracyCell(AtlasManifest v) => v.Accuracy switch
    {
        null => "—",
        { } a when Format.DatasetAccuracy(a) is { } figure =>
            $"{E(figure)} <span class=\"meta\">of {E(Format.Count(a.Images))} images</span>",
        { } a => $"<span title=\"not measured: {E(a.NotMeasured ?? "")}\">—</span>",
    };

    /// <summary>A few units spread over the layers of the newest version: what the atlas looks like at a glance.</summary>
    private static string PreviewStrip(string page, AtlasContext context)
    {
        var layers = context.Atlas.Layers.Where(l => l.Units.Count > 0).ToList();
        if (layers.Count == 0) return "";
        var perLayer = Math.Max(1, Preview / layers.Count);
        var html = new StringBuilder("<ul class=\"strip preview\" aria-label=\"Sample units\">");
        foreach (var layer in layers)
        foreach (var unit in layer.Units.Take(perLayer))
        {
            var img = context.Images.Img(page, unit.VisKey, context.VisAlt(layer, unit), ImageTags.Strip + 16);
            html.Append($"<li><a href=\"{Href(page, layer.UnitPage(unit))}\" title=\"{E(Format.UnitRef(layer.Layer.Name, unit.Index))}\">{img}</a></li>");
        }
        return html.Append("</ul>\n").ToString();
    }
}
