namespace Atlas.Core.Analysis;

/// <summary>How a unit's top examples spread over classes: counts per class name, entropy in bits, the most frequent class.</summary>
public sealed record ClassSpreadResult(IReadOnlyDictionary<string, int> Counts, double EntropyBits, string DominantClass);

/// <summary>
/// Class spread of a unit's top-k examples, a hint at polysemantic units: a unit whose best images
/// come from many classes (high entropy) responds to something other than one class.
/// </summary>
public static class ClassSpreadCalculator
{
    /// <summary>Null when no example is labelled with a known class (unlabelled datasets).</summary>
    public static ClassSpreadResult? From(IEnumerable<int> labels, IReadOnlyList<string> classNames)
    {
        var counts = labels.Where(l => l >= 0 && l < classNames.Count)
            .GroupBy(l => l)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key) // dominant class: most frequent, then lowest label
            .Select(g => (Label: g.Key, Count: g.Count()))
            .ToList();
        if (counts.Count == 0) return null;
        double total = counts.Sum(c => c.Count);
        double entropy = -counts.Sum(c => c.Count / total * Math.Log2(c.Count / total));
        return new ClassSpreadResult(
            counts.ToDictionary(c => classNames[c.Label], c => c.Count),
            entropy == 0 ? 0 : entropy, // never -0
            classNames[counts[0].Label]);
    }
}
