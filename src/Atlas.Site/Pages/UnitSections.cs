using System.Globalization;
using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Storage.Manifests;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>The unit page's sections for optional manifest fields; each returns "" when its field is empty.</summary>
internal static class UnitSections
{
    /// <summary>Every visualization besides the main one (negative, neuron, diversity…), with objective, value and seed.</summary>
    public static string Visualizations(AtlasContext context, LayerLayout layer, UnitManifest unit, string page)
    {
        var others = unit.Visualizations.Where(v => v.Key != unit.VisKey).ToList();
        if (others.Count == 0) return "";
        var html = new StringBuilder("<section aria-labelledby=\"vis-h\"><h2 id=\"vis-h\">Visualizations</h2>\n");
        if (others.Any(v => v.Kind.StartsWith("diversity-", StringComparison.Ordinal)))
            html.Append($"<p class=\"hint\">{E(UnitValues.DiversityNote)}</p>\n");
        html.Append("<div class=\"gallery\">\n");
        foreach (var vis in others)
        {
            var kind = Format.VisKind(vis.Kind);
            var alt = $"{kind} visualization of layer {layer.Layer.Name}, unit {Format.UnitName(unit)}";
            html.Append("<figure class=\"vis card\">")
                .Append(context.Images.Img(page, vis.Key, alt, ImageTags.Visualization))
                .Append($"<figcaption><strong>{E(kind)}</strong><br>{E(vis.ObjectiveDescription)}<br>")
                .Append($"<span class=\"meta\">value {E(Format.Number(vis.Objective))} · seed {E(vis.Seed)}</span></figcaption></figure>\n");
        }
        return html.Append("</div>\n</section>\n").ToString();
    }

    /// <summary>Class counts among the top examples as bars, most frequent first.</summary>
    public static string ClassSpread(UnitManifest unit)
    {
        if (TiedExamples.Spread(unit) is not { } spread || spread.Counts.Count == 0) return "";
        var total = Math.Max(1, spread.Counts.Values.Sum());
        var html = new StringBuilder("<section class=\"card spread\" aria-labelledby=\"spread-h\"><h2 id=\"spread-h\">Classes of the top examples</h2>\n");
        html.Append($"<p class=\"meta\">entropy {E(Format.Number(spread.EntropyBits))} bits · most frequent: {E(spread.DominantClass)}</p>\n<ul class=\"bars\">\n");
        foreach (var (name, count) in spread.Counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            var share = (double)count / total;
            html.Append($"<li><span class=\"bar-label\">{E(name)}</span><span class=\"bar-track\"><span class=\"bar-fill\" style=\"width:{E(Format.Data(Math.Round(share * 100, 1)))}%\"></span></span>")
                .Append($"<span class=\"bar-value\">{E(count)}</span></li>\n");
        }
        return html.Append("</ul>\n</section>\n").ToString();
    }

    public static string Examples(AtlasContext context, LayerLayout layer, UnitManifest unit, string page)
    {
        var spatial = layer.Layer.Height * layer.Layer.Width > 1;
        var anyHeatmap = unit.TopExamples.Concat(unit.BottomExamples).Any(e => e.HeatmapKey is not null);
        var html = new StringBuilder("<section aria-labelledby=\"ex-h\"><div class=\"section-head\"><h2 id=\"ex-h\">Dataset examples</h2>");
        if ((anyHeatmap || spatial) && unit.TopExamples.Count + unit.BottomExamples.Count > 0)
        {
            // A plain checkbox: the stylesheet shows the overlays when it is checked, so the toggle works without the script too.
            var what = anyHeatmap ? "activation heatmaps" : "peak positions";
            html.Append($"<label class=\"toggle\"><input type=\"checkbox\" id=\"overlays\" data-overlay-toggle> Show {what}</label>");
        }
        html.Append("</div>\n");
        if (unit.TopExamples.Count == 0)
        {
            html.Append("<p>No examples were recorded for this unit.</p>\n");
        }
        else
        {
            html.Append("<h3>Top: the images that drive it most</h3>\n")
                .Append($"<p class=\"hint\">{E(UnitValues.ExamplesLegend(layer, bottom: false))}</p>\n");
            if (TiedExamples.Explanation(unit) is { } tie) html.Append($"<p class=\"hint\">{E(tie)}</p>\n");
            html.Append(ExampleList(context, layer, unit, unit.TopExamples, page, "top"));
        }
        if (unit.BottomExamples.Count > 0)
        {
            html.Append("<h3>Bottom: the images that drive it least</h3>\n")
                .Append($"<p class=\"hint\">{E(UnitValues.ExamplesLegend(layer, bottom: true))}</p>\n")
                .Append(ExampleList(context, layer, unit, unit.BottomExamples, page, "bottom"));
        }
        return html.Append("</section>\n").ToString();
    }

    private static string ExampleList(AtlasContext context, LayerLayout layer, UnitManifest unit, IReadOnlyList<ExampleRef> examples, string page, string kind)
    {
        var html = new StringBuilder($"<ol class=\"examples ex-{kind}\">\n");
        var spatial = layer.Layer.Height * layer.Layer.Width > 1;
        foreach (var example in examples)
        {
            var label = Format.ClassName(context.Manifest.Dataset, example.Label);
            var alt = string.Create(CultureInfo.InvariantCulture, $"Dataset image {example.ImageIndex}, class {label}");
            html.Append("<li><figure><span class=\"ex\">")
                .Append(context.Images.Img(page, example.ImageKey, alt, ImageTags.Example));
            if (example.HeatmapKey is { } heatmap)
            {
                var heatAlt = string.Create(CultureInfo.InvariantCulture, $"Activation heatmap of unit {unit.Index} over dataset image {example.ImageIndex}");
                html.Append(context.Images.Img(page, heatmap, heatAlt, ImageTags.Example, cssClass: "heat"));
            }
            if (spatial)
            {
                var left = (example.X + 0.5) / layer.Layer.Width * 100;
                var top = (example.Y + 0.5) / layer.Layer.Height * 100;
                html.Append($"<i class=\"spot\" style=\"left:{E(Format.Data(Math.Round(left, 2)))}%;top:{E(Format.Data(Math.Round(top, 2)))}%\"></i>");
            }
            html.Append("</span><figcaption>")
                .Append($"<strong>{E(Format.Number(example.Value))}</strong> <span class=\"label\">{E(label)}</span>")
                .Append($"<small>image {E(example.ImageIndex)}{(spatial ? string.Create(CultureInfo.InvariantCulture, $" at (row {example.Y}, col {example.X})") : "")}</small>")
                // The file, for an image folder: the name shows, the path relative to dataset.path is its tooltip.
                .Append(example.File is { } file ? $"<small class=\"file\" title=\"{E(file)}\">{E(Path.GetFileName(file))}</small>" : "")
                .Append("</figcaption></figure></li>\n");
        }
        return html.Append("</ol>\n").ToString();
    }

    /// <summary>Same unit in other versions of the atlas, and the best matches another version's comparison found.</summary>
    public static string Versions(AtlasContext context, LayerLayout layer, UnitManifest unit, string page)
    {
        var others = context.Manifest.OtherVersions.Where(v => v.Version != context.Manifest.Version).ToList();
        if (others.Count == 0 && unit.Matches.Count == 0) return "";
        var html = new StringBuilder("<section aria-labelledby=\"ver-h\"><h2 id=\"ver-h\">Across versions</h2>\n");
        if (others.Count > 0)
        {
            html.Append("<p>This unit in other versions: </p><ul class=\"plain inline\">");
            foreach (var v in others.OrderByDescending(v => v.CreatedAt))
            {
                var target = context.UnitPageIn(v.Version, layer.Layer.Name, unit.Index);
                var text = $"{v.Version} ({Format.Day(v.CreatedAt)}, {Format.ShortHash(v.CheckpointSha256)})";
                html.Append("<li>").Append(target is null ? $"{E(text)} <span class=\"meta\">not in this site</span>" : Link(page, target, text)).Append("</li>");
            }
            html.Append("</ul>\n");
        }
        if (unit.Matches.Count > 0)
        {
            html.Append("<div class=\"table-wrap\"><table class=\"matches\"><caption>Best-matching units in other versions (activation correlation on a probe set)</caption>\n")
                .Append("<thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Unit</th><th scope=\"col\" class=\"num\">Correlation</th><th scope=\"col\">Verdict</th></tr></thead>\n<tbody>\n");
            foreach (var match in unit.Matches.OrderByDescending(m => m.Correlation))
            {
                var target = context.UnitPageIn(match.Version, layer.Layer.Name, match.Unit);
                var unitText = Format.UnitRef(layer.Layer.Name, match.Unit);
                html.Append($"<tr><td>{E(match.Version)}</td><td>{(target is null ? E(unitText) : Link(page, target, unitText))}</td>")
                    .Append($"<td class=\"num\">{E(Format.Number(match.Correlation))}</td><td>{E(match.Verdict)}</td></tr>\n");
            }
            html.Append("</tbody></table></div>\n");
        }
        return html.Append("</section>\n").ToString();
    }

    /// <summary>Everything needed to make this picture again, as text to copy.</summary>
    public static string Citation(AtlasContext context, LayerLayout layer, UnitManifest unit, string page)
    {
        var m = context.Manifest;
        var text = new StringBuilder();
        text.Append($"{m.Title}, version {m.Version}: layer {layer.Layer.Name}, unit {Format.UnitName(unit)}\n")
            .Append($"Model:       {m.Model.Architecture}, checkpoint {m.Model.CheckpointFile}\n")
            .Append($"Checkpoint:  sha256 {m.Model.CheckpointSha256}\n")
            .Append($"Objective:   {unit.ObjectiveDescription} (final value {Format.Number(unit.Objective)})\n")
            .Append($"Seed:        {m.Recipe.Seed.ToString(CultureInfo.InvariantCulture)}\n")
            .Append($"Recipe:      {Format.Recipe(m.Recipe)}\n");
        foreach (var vis in unit.Visualizations)
            text.Append($"  {Format.VisKind(vis.Kind)}: {vis.ObjectiveDescription}, seed {vis.Seed.ToString(CultureInfo.InvariantCulture)}\n");
        text.Append($"Dataset:     {m.Dataset.Name} ({Format.DatasetSize(m.Dataset)})\n")
            .Append($"Atlas:       {m.Atlas}/{m.Version}, created {Format.Date(m.CreatedAt)}\n")
            .Append($"Page:        {page}\n");
        return "<section class=\"card cite\" aria-labelledby=\"cite-h\"><h2 id=\"cite-h\">Cite and reproduce</h2>\n" +
               $"<pre tabindex=\"0\" aria-label=\"Citation\"><code>{E(text.ToString())}</code></pre>\n</section>\n";
    }
}
