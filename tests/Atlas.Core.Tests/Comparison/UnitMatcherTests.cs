using Atlas.Core.Comparison;

namespace Atlas.Core.Tests.Comparison;

/// <summary>Pearson matching of probe responses: exact on constructed cases, verdicts at their thresholds.</summary>
public class UnitMatcherTests
{
    private static ProbeMatrix Matrix(params float[][] rows) => new(rows.Length, rows[0].Length, rows.SelectMany(r => r).ToArray());

    private static float[] Random(int seed, int n = 64)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
    }

    [Fact]
    public void Units_find_their_counterparts_after_a_permutation_and_a_positive_rescaling()
    {
        float[] a = Random(1), b = Random(2), c = Random(3);
        var before = Matrix(a, b, c);
        // The same units in another order, scaled and shifted: Pearson's r is 1 for each true pair.
        var after = Matrix(c.Select(x => 3 * x + 1).ToArray(), a.Select(x => 0.5f * x).ToArray(), b);

        var matches = UnitMatcher.Match(after, before);

        Assert.Equal([2, 0, 1], matches.Select(m => m!.Unit));
        Assert.All(matches, m =>
        {
            Assert.Equal(1.0, m!.Correlation, 1e-5);
            Assert.Equal(UnitMatcher.Stable, m.Verdict);
        });
    }

    [Fact]
    public void The_correlation_is_pearsons_r_and_a_unit_unlike_any_other_is_new()
    {
        float[] x = [1, 2, 3, 4, 5, 6], y = [2, 1, 4, 3, 6, 5], flat = [7, 7, 7, 7, 7, 7];
        // r(x, y) by hand: means 3.5; Σdxdy = 14.5, Σdx² = Σdy² = 17.5 → 0.8286.
        var match = UnitMatcher.Match(Matrix(y), Matrix(x, flat))[0]!;
        Assert.Equal(0, match.Unit);
        Assert.Equal(14.5 / 17.5, match.Correlation, 1e-6);
        Assert.Equal(UnitMatcher.Changed, match.Verdict);

        float[] opposite = x.Select(v => -v).ToArray();
        var unlike = UnitMatcher.Match(Matrix(opposite), Matrix(x))[0]!;
        Assert.Equal(-1.0, unlike.Correlation, 1e-6);
        Assert.Equal(UnitMatcher.New, unlike.Verdict);
    }

    [Fact]
    public void A_unit_constant_on_the_probe_set_gets_no_match_and_is_never_chosen()
    {
        float[] x = Random(4), flat = Enumerable.Repeat(0.25f, 64).ToArray();
        var matches = UnitMatcher.Match(Matrix(flat, x), Matrix(flat, x));
        Assert.Null(matches[0]);
        Assert.Equal(1, matches[1]!.Unit);
    }

    [Theory]
    [InlineData(1.0, "stable")]
    [InlineData(0.9, "stable")]
    [InlineData(0.8999, "changed")]
    [InlineData(0.5, "changed")]
    [InlineData(0.4999, "new")]
    [InlineData(-0.3, "new")]
    public void Verdicts_switch_exactly_at_the_documented_thresholds(double r, string verdict) => Assert.Equal(verdict, UnitMatcher.Verdict(r));

    [Fact]
    public void Probe_matrices_round_trip_through_bytes_and_reject_truncation()
    {
        var m = Matrix(Random(5, 10), Random(6, 10), Random(7, 10));
        var back = ProbeMatrix.FromBytes(m.ToBytes());
        Assert.Equal((m.Units, m.Images), (back.Units, back.Images));
        Assert.Equal(m.Values, back.Values);
        Assert.Throws<InvalidDataException>(() => ProbeMatrix.FromBytes(m.ToBytes()[..^4]));
    }

    [Fact]
    public void Probe_sets_of_different_sizes_cannot_be_compared() =>
        Assert.Throws<ArgumentException>(() => UnitMatcher.Match(Matrix(Random(1, 8)), Matrix(Random(1, 9))));
}
