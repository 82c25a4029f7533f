using System.Globalization;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Pages;

/// <summary>
/// The class a unit's top examples are mostly of, when one is. The most frequent class alone overstates what a unit
/// relates to: an early unit's top 9 images can be 3 coats, 2 shirts and 4 others, and "Coat" would then be named on its
/// tile and found by a search for coats. So the grid and the search name a class only when it holds more than half of
/// the top examples; the unit page's bars show the whole spread either way.
/// </summary>
internal static class TopClass
{
    /// <summary>The tile's word for a unit whose top examples rank images but no class holds most of them.</summary>
    public const string Mixed = "mixed classes";

    /// <summary>The class holding more than half of the top examples; null when none does, or the examples tie.</summary>
    public static string? Majority(UnitManifest unit) =>
        TiedExamples.Spread(unit) is { } spread && IsMajority(spread) ? spread.DominantClass : null;

    /// <summary>"Mixed classes" for a unit with a class spread but no majority; null otherwise.</summary>
    public static string? MixedWord(UnitManifest unit) =>
        TiedExamples.Spread(unit) is { } spread && spread.Counts.Count > 0 && !IsMajority(spread) ? Mixed : null;

    /// <summary>"3 of 9 top examples" for the most frequent class.</summary>
    public static string Share(ClassSpread spread) => string.Create(CultureInfo.InvariantCulture,
        $"{spread.Counts.GetValueOrDefault(spread.DominantClass)} of {spread.Counts.Values.Sum()} top examples");

    private static bool IsMajority(ClassSpread spread) =>
        2 * spread.Counts.GetValueOrDefault(spread.DominantClass) > spread.Counts.Values.Sum();
}
