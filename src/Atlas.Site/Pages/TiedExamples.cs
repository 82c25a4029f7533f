using System.Globalization;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Pages;

/// <summary>
/// A unit whose top examples all share one value does not tell those images apart: a ReLU channel the data set
/// never activates ties at 0 for every image, a saturating one (ReLU6) at its ceiling. Its "top" images are then the
/// first the pass met, and their classes say nothing of the unit, so the pages say so instead of naming a class.
/// </summary>
internal static class TiedExamples
{
    /// <summary>The value every top example shares, when there are at least two and they all tie; otherwise null.</summary>
    public static float? TieValue(UnitManifest unit) =>
        unit.TopExamples.Count >= 2 && unit.TopExamples.All(e => e.Value.Equals(unit.TopExamples[0].Value)) ? unit.TopExamples[0].Value : null;

    public static bool NeverActive(UnitManifest unit) => TieValue(unit) == 0f;

    /// <summary>The unit's class spread when its top examples rank images at all; null when they tie.</summary>
    public static ClassSpread? Spread(UnitManifest unit) => TieValue(unit) is null ? unit.ClassSpread : null;

    /// <summary>A tile's short word for a tied unit, where others show their most frequent class.</summary>
    public static string? Word(UnitManifest unit) => TieValue(unit) switch
    {
        null => null,
        0f => "never active",
        _ => "all tie",
    };

    /// <summary>A sentence for the unit page's examples; null when the top examples rank images.</summary>
    public static string? Explanation(UnitManifest unit) => TieValue(unit) switch
    {
        null => null,
        0f => "The data set never activates this unit: every image gives it 0, so these are the first images the pass met, in no order of preference, and their classes say nothing about it.",
        { } value => string.Create(CultureInfo.InvariantCulture,
            $"Every top image gives this unit the same value ({value:G6}): it does not tell them apart (the unit, or the input it reads, saturates there), so their order and classes say little about it."),
    };
}
