using System.Globalization;
using System.Text;
using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Storage.Manifests;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Pages;

/// <summary>
/// The unit page's circuit: its inputs from the layer before and outputs to the layer after, each split into
/// excitatory and inhibitory links, under a legend that says what a link's number, bar and kernel colours are.
/// The groups come from the links' signs alone, so a manifest written before the atlas kept both signs apart
/// (the 6 strongest by |strength|, one sign only for some units) renders the same way, with what it holds.
/// </summary>
internal static class CircuitSection
{
    public const string Legend =
        "Strength: the L2 norm of the kernel of weights through which the later unit reads the earlier one, signed by the kernel's sum " +
        "— positive is excitatory (the earlier unit raises the later one), negative inhibitory (it lowers it). " +
        "Bar: |strength| against the strongest input (or output) listed. " +
        "Kernel: that weight at each spatial offset, red positive, blue negative, white 0, on one scale for all the kernels of the later unit.";

    public static string Render(AtlasContext context, LayerLayout layer, UnitManifest unit, string page)
    {
        // Like the page's other optional sections, none without links; with outputs only, the inputs side says why it is empty.
        if (unit.Inputs.Count == 0 && unit.Outputs.Count == 0) return "";
        var inputs = unit.Inputs.Count > 0 ? Links(context, unit.Inputs, page, "Inputs", "from") : NoInputs(context, layer, page);
        return "<section aria-labelledby=\"circuit-h\"><h2 id=\"circuit-h\">Circuit</h2>\n" +
               $"<p class=\"hint legend\">{E(Legend)}</p>\n<div class=\"circuit\">\n" +
               inputs +
               Links(context, unit.Outputs, page, "Outputs", "to") +
               "</div>\n</section>\n";
    }

    /// <summary>
    /// Why the first layer of the atlas lists no inputs, rather than an empty space: a layer with a filter picture reads
    /// the image itself; another first layer has no earlier layer here. Elsewhere "" (circuits from the layer before were
    /// not computed, and the page cannot say why).
    /// </summary>
    private static string NoInputs(AtlasContext context, LayerLayout layer, string page)
    {
        if (context.Atlas.Layers.Count == 0 || context.Atlas.Layers[0] != layer) return "";
        var name = layer.Layer.Name;
        var text = layer.Layer.WeightsKey is not null
            ? $"{E(name)} reads the input image itself, not another layer: its inputs are the pixels. Its weights on them are the filters on the {Link(page, layer.IndexPage, $"{name} layer page")}."
            : $"No earlier layer is in this atlas, so {E(name)} has no inputs to list.";
        return $"<div class=\"card\"><h3>Inputs</h3>\n<p class=\"meta no-inputs\">{text}</p>\n</div>\n";
    }

    private static string Links(AtlasContext context, IReadOnlyList<CircuitLink> links, string page, string title, string direction)
    {
        if (links.Count == 0) return "";
        var html = new StringBuilder($"<div class=\"card\"><h3>{E(title)}</h3>\n");
        if (Reach(context, links, direction) is { } reach) html.Append($"<p class=\"meta\">{E(reach)}</p>\n");
        var strongest = Math.Max(1e-12, links.Max(l => Math.Abs((double)l.Weight)));
        html.Append(Group(context, links.Where(l => l.Weight >= 0).ToList(), page, "Excitatory (+)", "pos", direction, strongest))
            .Append(Group(context, links.Where(l => l.Weight < 0).ToList(), page, "Inhibitory (−)", "neg", direction, strongest));
        return html.Append("</div>\n").ToString();
    }

    /// <summary>How many units the links were chosen among: the other layer's units in this atlas (circuits rank only those).</summary>
    private static string? Reach(AtlasContext context, IReadOnlyList<CircuitLink> links, string direction)
    {
        var names = links.Select(l => l.Layer).Distinct().ToList();
        if (names.Count != 1 || context.Atlas.FindLayer(names[0]) is not { } other) return null;
        var count = other.Units.Count;
        var all = other.Layer.Channels;
        var verb = direction == "from" ? "Reads" : "Feeds";
        var which = count < all
            ? string.Create(CultureInfo.InvariantCulture, $"the {count} of its {all} units in this atlas")
            : string.Create(CultureInfo.InvariantCulture, $"all {count} units");
        return $"{verb} {which} of {names[0]}; the strongest of each sign are listed.";
    }

    private static string Group(AtlasContext context, IReadOnlyList<CircuitLink> links, string page, string title, string sign, string direction, double strongest)
    {
        var html = new StringBuilder($"<h4 class=\"weight {sign}\">{E(title)}</h4>\n");
        if (links.Count == 0) return html.Append("<p class=\"meta\">None among the links this atlas kept.</p>\n").ToString();
        html.Append($"<ol class=\"links links-{sign}\">\n");
        foreach (var link in links) html.Append(Item(context, link, page, direction, strongest));
        return html.Append("</ol>\n").ToString();
    }

    private static string Item(AtlasContext context, CircuitLink link, string page, string direction, double strongest)
    {
        var neighbourLayer = context.Atlas.FindLayer(link.Layer);
        var neighbour = neighbourLayer?.Unit(link.Unit);
        var name = Format.UnitRef(link.Layer, link.Unit);
        var sign = link.Weight >= 0 ? "pos" : "neg";
        var html = new StringBuilder("<li>");
        if (neighbourLayer is not null && neighbour is not null)
        {
            html.Append($"<a class=\"neighbour\" href=\"{Href(page, neighbourLayer.UnitPage(neighbour))}\">")
                .Append(context.Images.Img(page, neighbour.VisKey, $"Feature visualization of {name}", ImageTags.Neighbour))
                .Append($"<span>{E(name)}{(neighbour.Label is null ? "" : $" · {E(neighbour.Label)}")}</span></a>");
        }
        else
        {
            html.Append($"<span class=\"neighbour\"><span>{E(name)}</span></span>");
        }
        if (link.KernelKey is { } kernel)
            html.Append(context.Images.Img(page, kernel, $"Spatial weights {direction} {name}", ImageTags.Neighbour - 16, cssClass: "kernel"));
        var share = Math.Abs(link.Weight) / strongest * 100;
        html.Append($"<span class=\"weight {sign}\" title=\"strength: signed L2 norm of the kernel\"><span class=\"wbar\"><span style=\"width:{E(Format.Data(Math.Round(share, 1)))}%\"></span></span>")
            .Append($"{E(Format.Signed(link.Weight))}</span></li>\n");
        return html.ToString();
    }
}
