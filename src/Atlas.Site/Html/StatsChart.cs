using System.Globalization;
using System.Text;
using Atlas.Storage.Manifests;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Html;

/// <summary>
/// Small inline-SVG bar charts of per-layer statistics (mean activation, fraction ≤ 0, channels
/// active), one panel each with one bar per layer in order. Inline so the site needs no chart
/// script; colours come from the stylesheet, so dark mode works; each bar has a &lt;title&gt; and the
/// same numbers are in the layer table for readers who cannot see the chart.
/// </summary>
internal static class StatsChart
{
    private const double BarWidth = 28, Gap = 14, Top = 22, PlotHeight = 96, Bottom = 24, Left = 8;

    private sealed record Series(string Title, Func<LayerStats, double> Value, Func<double, string> Label, bool IsFraction);

    private static readonly Series[] All =
    [
        new("Mean activation", s => s.Mean, Format.Number, IsFraction: false),
        new("Activations ≤ 0 (sparsity)", s => s.FractionNonPositive, Format.Percent, IsFraction: true),
        new("Channels active per image", s => s.FractionChannelsActive, Format.Percent, IsFraction: true),
    ];

    /// <summary>The charts, or "" when no layer has statistics.</summary>
    public static string Render(IReadOnlyList<LayerManifest> layers)
    {
        if (!layers.Any(l => l.Stats is not null)) return "";
        var html = new StringBuilder("<div class=\"charts\">\n");
        foreach (var series in All) html.Append(Panel(layers, series));
        return html.Append("</div>\n").ToString();
    }

    private static string Panel(IReadOnlyList<LayerManifest> layers, Series series)
    {
        var values = layers.Select(l => l.Stats is null ? (double?)null : series.Value(l.Stats)).ToList();
        var present = values.Where(v => v is not null && double.IsFinite(v.Value)).Select(v => v!.Value).ToList();
        var max = series.IsFraction ? 1 : Math.Max(0, present.DefaultIfEmpty(0).Max());
        var min = series.IsFraction ? 0 : Math.Min(0, present.DefaultIfEmpty(0).Min());
        var span = max - min <= 0 ? 1 : max - min;
        var zeroY = Top + PlotHeight * (max / span);
        var width = Left * 2 + layers.Count * (BarWidth + Gap);
        var height = Top + PlotHeight + Bottom;
        var summary = string.Join(", ", layers.Select((l, i) => $"{l.Name} {(values[i] is { } v ? series.Label(v) : "not measured")}"));

        var svg = new StringBuilder();
        svg.Append("<figure class=\"chart\">")
            .Append(N($"<svg viewBox=\"0 0 {width:0} {height:0}\" width=\"{width:0}\" height=\"{height:0}\" role=\"img\" aria-label=\"{E(series.Title)}: {E(summary)}\">"))
            .Append(N($"<line class=\"axis\" x1=\"0\" x2=\"{width:0}\" y1=\"{zeroY:0.#}\" y2=\"{zeroY:0.#}\"/>"));
        for (var i = 0; i < layers.Count; i++)
        {
            var x = Left + Gap / 2 + i * (BarWidth + Gap);
            var centre = x + BarWidth / 2;
            var name = layers[i].Name.Length > 8 ? layers[i].Name[..7] + "…" : layers[i].Name;
            if (values[i] is { } value && double.IsFinite(value))
            {
                var y = Top + PlotHeight * ((max - Math.Max(value, 0)) / span);
                var h = Math.Max(1, PlotHeight * Math.Abs(value) / span);
                // A negative bar's label sits above the zero line, where its column is empty, clear of the layer names below.
                var labelY = value >= 0 ? y - 5 : zeroY - 5;
                svg.Append(N($"<rect class=\"bar\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{BarWidth:0}\" height=\"{h:0.#}\" rx=\"3\">"))
                    .Append($"<title>{E(layers[i].Name)}: {E(series.Label(value))}</title></rect>")
                    .Append(N($"<text class=\"value\" x=\"{centre:0.#}\" y=\"{labelY:0.#}\">")).Append(E(series.Label(value))).Append("</text>");
            }
            else
            {
                svg.Append(N($"<text class=\"value\" x=\"{centre:0.#}\" y=\"{zeroY - 5:0.#}\">")).Append("n/a</text>");
            }
            svg.Append(N($"<text class=\"name\" x=\"{centre:0.#}\" y=\"{Top + PlotHeight + 18:0.#}\">")).Append(E(name)).Append("</text>");
        }
        svg.Append("</svg>").Append($"<figcaption>{E(series.Title)}</figcaption></figure>\n");
        return svg.ToString();
    }

    private static string N(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
