namespace Atlas.Core.Comparison;

/// <summary>
/// Matches each unit of one version to its best counterpart in another by the Pearson correlation of
/// their probe responses (<see cref="ProbeActivations"/>): the universality question of the Circuits
/// thread asked across training time. Verdicts: <see cref="Stable"/> at r ≥ <see cref="StableAt"/>,
/// <see cref="New"/> below <see cref="NewBelow"/>, <see cref="Changed"/> in between.
/// </summary>
public static class UnitMatcher
{
    public const double StableAt = 0.9;
    public const double NewBelow = 0.5;
    public const string Stable = "stable";
    public const string Changed = "changed";
    public const string New = "new";

    public static string Verdict(double correlation) => correlation >= StableAt ? Stable : correlation < NewBelow ? New : Changed;

    /// <summary>
    /// For every unit of <paramref name="current"/>, its best match in <paramref name="other"/>, or null
    /// for a unit whose responses are constant on the probe set (dead there: correlation is undefined,
    /// and calling it "new" would be a claim without evidence).
    /// </summary>
    public static IReadOnlyList<UnitMatch?> Match(ProbeMatrix current, ProbeMatrix other)
    {
        if (current.Images != other.Images)
            throw new ArgumentException($"probe sets differ in size ({current.Images} vs {other.Images} images)");
        var a = Standardize(current);
        var b = Standardize(other);
        var matches = new UnitMatch?[current.Units];
        int n = current.Images;
        for (int u = 0; u < current.Units; u++)
        {
            if (a[u] is not { } row) continue;
            int best = -1;
            double bestR = double.NegativeInfinity;
            for (int v = 0; v < other.Units; v++)
            {
                if (b[v] is not { } candidate) continue;
                double r = 0;
                for (int i = 0; i < n; i++) r += row[i] * candidate[i];
                if (r > bestR)
                {
                    bestR = r;
                    best = v;
                }
            }
            if (best >= 0)
            {
                var clamped = Math.Clamp(bestR, -1, 1);
                matches[u] = new UnitMatch(best, clamped, Verdict(clamped));
            }
        }
        return matches;
    }

    /// <summary>Rows centred and scaled to unit length, so a dot product is Pearson's r; null for a constant row.</summary>
    private static double[]?[] Standardize(ProbeMatrix m)
    {
        var rows = new double[]?[m.Units];
        for (int u = 0; u < m.Units; u++)
        {
            var row = m.Row(u);
            double mean = 0;
            foreach (var x in row) mean += x;
            mean /= row.Length;
            var centred = new double[row.Length];
            double norm = 0;
            for (int i = 0; i < row.Length; i++)
            {
                centred[i] = row[i] - mean;
                norm += centred[i] * centred[i];
            }
            norm = Math.Sqrt(norm);
            // Relative threshold: float noise on a constant row must not count as variance.
            if (norm <= 1e-6 * Math.Max(1, Math.Abs(mean)) * Math.Sqrt(row.Length)) continue;
            for (int i = 0; i < centred.Length; i++) centred[i] /= norm;
            rows[u] = centred;
        }
        return rows;
    }
}

/// <summary>The best counterpart of a unit in another version.</summary>
public sealed record UnitMatch(int Unit, double Correlation, string Verdict);
