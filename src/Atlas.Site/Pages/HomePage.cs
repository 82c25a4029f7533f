using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>index.html: every atlas version in the site, one row each.</summary>
internal static class HomePage
{
    public static string Render(SiteOptions options, IReadOnlyList<AtlasLayout> atlases)
    {
        const string page = SitePath.Home;
        var body = new StringBuilder();
        body.Append($"<h1>{E(options.Title)}</h1>\n")
            .Append("<p class=\"lead\">Feature visualizations and top dataset examples for every unit of every layer.</p>\n");
        if (atlases.Count == 0)
        {
            body.Append("<p>No atlases yet.</p>\n");
        }
        else
        {
            body.Append("<table>\n<thead><tr><th>Atlas</th><th>Version</th><th>Architecture</th><th>Checkpoint</th>")
                .Append("<th>Created</th><th class=\"num\">Layers</th><th class=\"num\">Units</th></tr></thead>\n<tbody>\n");
            foreach (var atlas in atlases)
            {
                var m = atlas.Manifest;
                body.Append("<tr>")
                    .Append($"<td>{Link(page, atlas.IndexPage, m.Title)}</td>")
                    .Append($"<td>{E(m.Version)}</td>")
                    .Append($"<td>{E(m.Model.Architecture)}</td>")
                    .Append($"<td><code title=\"{E(m.Model.CheckpointSha256)}\">{E(Format.ShortHash(m.Model.CheckpointSha256))}</code></td>")
                    .Append($"<td><time datetime=\"{E(Format.IsoDate(m.CreatedAt))}\">{E(Format.Date(m.CreatedAt))}</time></td>")
                    .Append($"<td class=\"num\">{E(m.Layers.Count)}</td>")
                    .Append($"<td class=\"num\">{E(m.Layers.Sum(l => l.Units.Count))}</td>")
                    .Append("</tr>\n");
            }
            body.Append("</tbody>\n</table>\n");
        }
        return PageLayout.Render(page, options.Title, [new Crumb(options.Title)], body.ToString());
    }
}
