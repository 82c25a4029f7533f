namespace Atlas.Core.Examples;

/// <summary>How far two dataset passes agree on each unit's top images (float32 against bfloat16, say).</summary>
public sealed record TopKAgreement(int Units, double MeanShared, double IdenticalUnits)
{
    /// <summary>
    /// <see cref="MeanShared"/>: the fraction of a unit's listed images that the other pass lists too,
    /// averaged over units; <see cref="IdenticalUnits"/>: the fraction of units whose lists are equal in order.
    /// </summary>
    public static TopKAgreement Compare(IReadOnlyDictionary<string, TopKTable> reference, IReadOnlyDictionary<string, TopKTable> other)
    {
        int units = 0, identical = 0;
        double shared = 0;
        foreach (var (layer, table) in reference)
        {
            var against = other.TryGetValue(layer, out var t) ? t : throw new ArgumentException($"the other pass has no layer '{layer}'", nameof(other));
            for (int unit = 0; unit < table.UnitCount; unit++)
            {
                var a = table.For(unit).Select(h => h.Image).ToList();
                var b = against.For(unit).Select(h => h.Image).ToList();
                units++;
                shared += a.Count == 0 ? 1 : (double)a.Intersect(b).Count() / a.Count;
                if (a.SequenceEqual(b)) identical++;
            }
        }
        return units == 0 ? new TopKAgreement(0, 1, 1) : new TopKAgreement(units, shared / units, (double)identical / units);
    }
}
