using System.Globalization;
using Atlas.Site.Layout;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Pages;

/// <summary>
/// What the numbers next to a unit's pictures are, in words. A dataset example's value is the unit's maximum over the
/// layer's positions on that image (the bottom examples: its minimum), read where the dataset pass reads it: the
/// layer's output, after its ReLU where it has one (Atlas.Core's DatasetExampleScanner); a class unit's is its logit,
/// which no ReLU follows. Positions are (row, column) on the layer's map: the scanner splits the flat index as
/// position / width, position % width.
/// </summary>
internal static class UnitValues
{
    /// <summary>A layer of class units (the manifest labels the units of the logits layer with their classes).</summary>
    public static bool IsClassLayer(LayerLayout layer) => layer.Units.Count > 0 && layer.Units.All(u => u.Label is not null);

    /// <summary>"logit" or "activation".</summary>
    public static string Name(LayerLayout layer) => IsClassLayer(layer) ? "logit" : "activation";

    /// <summary>The layer grid's legend for the words and numbers under each tile.</summary>
    public static string GridLegend(LayerLayout layer, bool hasExamples)
    {
        var legend = IsClassLayer(layer)
            ? "Under each picture: the unit number and its class"
            : "Under each picture: the unit number, and the class of its top dataset examples when one class holds more than half of them (else \u201cmixed classes\u201d)";
        if (!hasExamples) return legend + ".";
        return legend + (IsClassLayer(layer)
            ? "; the number is its max logit, the highest logit any dataset image gets for the class."
            : "; the number is its max activation, the highest value any dataset image gives it (the maximum over the layer's positions, after the ReLU where the layer has one).");
    }

    /// <summary>The unit page's sentence on what the numbers under its dataset examples are.</summary>
    public static string ExamplesLegend(LayerLayout layer, bool bottom)
    {
        var l = layer.Layer;
        var spatial = l.Height * l.Width > 1;
        var extreme = bottom ? "lowest" : "highest";
        var value = IsClassLayer(layer)
            ? "the unit's logit on the image"
            : spatial
                ? string.Create(CultureInfo.InvariantCulture, $"the unit's {extreme} activation over the {l.Height}×{l.Width} positions of its map on the image (after the ReLU where the layer has one)")
                : "the unit's activation on the image (after the ReLU where the layer has one)";
        var where = spatial ? ", the image's index in the data set, and (row, column) of that value on the map, counted from 0 at the top left" : " and the image's index in the data set";
        return $"Under each image: {value}, then its class{where}.";
    }

    /// <summary>Why a diversity picture's value is below its unit's and can be negative.</summary>
    public const string DiversityNote =
        "A diversity picture's value is its whole objective: the unit's own value plus the diversity term, a penalty (never above 0) " +
        "for how alike the pictures of its group still are, so it is lower than the unit's value alone and can be negative. Compare the pictures, not these numbers.";
}
