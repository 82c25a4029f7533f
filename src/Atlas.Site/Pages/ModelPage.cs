using System.Text;
using Atlas.Site.Html;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>{atlas}/{version}/index.html: the model, its dataset and recipe, and its layers in order.</summary>
internal static class ModelPage
{
    public static string Render(AtlasContext context)
    {
        var page = context.Atlas.IndexPage;
        var m = context.Manifest;
        var body = new StringBuilder();
        body.Append($"<h1>{E(m.Title)}</h1>\n<dl class=\"facts\">\n")
            .Append($"<dt>Atlas</dt><dd>{E(m.Atlas)}, version {E(m.Version)}</dd>\n")
            .Append($"<dt>Architecture</dt><dd>{E(m.Model.Architecture)}, input {E(Format.InputShape(m.Model))}</dd>\n")
            .Append($"<dt>Checkpoint</dt><dd>{E(m.Model.CheckpointFile)} <code title=\"{E(m.Model.CheckpointSha256)}\">{E(Format.ShortHash(m.Model.CheckpointSha256))}</code></dd>\n")
            .Append($"<dt>Dataset</dt><dd>{E(m.Dataset.Name)} ({E(m.Dataset.Split)}, {E(m.Dataset.Count)} images, {E(m.Dataset.ClassNames.Count)} classes)</dd>\n");
        if (m.Model.TestAccuracy is { } accuracy)
            body.Append($"<dt>Test accuracy</dt><dd>{E(Format.Accuracy(accuracy))}</dd>\n");
        body.Append($"<dt>Recipe</dt><dd>{E(Format.Recipe(m.Recipe))}</dd>\n")
            .Append($"<dt>Created</dt><dd><time datetime=\"{E(Format.IsoDate(m.CreatedAt))}\">{E(Format.Date(m.CreatedAt))}</time></dd>\n")
            .Append("</dl>\n<h2>Layers</h2>\n<table>\n<thead><tr><th class=\"num\">#</th><th>Layer</th><th>Kind</th><th>Shape (C×H×W)</th>")
            .Append("<th class=\"num\">Channels</th><th class=\"num\">Units</th><th>First units</th></tr></thead>\n<tbody>\n");
        var number = 1;
        foreach (var layer in context.Atlas.Layers)
        {
            body.Append("<tr>")
                .Append($"<td class=\"num\">{E(number++)}</td>")
                .Append($"<td>{Link(page, layer.IndexPage, layer.Layer.Name)}</td>")
                .Append($"<td>{E(layer.Layer.Kind)}</td>")
                .Append($"<td>{E(Format.Shape(layer.Layer))}</td>")
                .Append($"<td class=\"num\">{E(layer.Layer.Channels)}</td>")
                .Append($"<td class=\"num\">{E(layer.Units.Count)}</td>")
                .Append("<td class=\"strip\">");
            foreach (var unit in layer.Units.Take(context.Options.StripLength))
            {
                var img = context.Images.Img(page, unit.VisKey, context.VisAlt(layer, unit), ImageTags.Strip);
                body.Append($"<a href=\"{Href(page, layer.UnitPage(unit))}\">{img}</a>");
            }
            body.Append("</td></tr>\n");
        }
        body.Append("</tbody>\n</table>\n");
        return PageLayout.Render(page, context.AtlasName, context.Crumbs(), body.ToString());
    }
}
