namespace Atlas.Core.Examples;

/// <summary>
/// The k best images of every unit of one layer. Mergeable: the top-k of a union of shards equals
/// merging the shards' top-k tables, which is how sharded dataset passes are reduced.
/// </summary>
public sealed class TopKTable
{
    private readonly List<ExampleHit>[] units;

    public TopKTable(int unitCount, int k)
    {
        K = k;
        units = Enumerable.Range(0, unitCount).Select(_ => new List<ExampleHit>(k + 1)).ToArray();
    }

    public int K { get; }
    public int UnitCount => units.Length;

    public IReadOnlyList<ExampleHit> For(int unit) => units[unit];

    public void Offer(int unit, ExampleHit hit)
    {
        var list = units[unit];
        if (list.Count == K && ExampleHit.CompareBestFirst(hit, list[^1]) >= 0) return;
        int at = list.BinarySearch(hit, Comparer<ExampleHit>.Create(ExampleHit.CompareBestFirst));
        list.Insert(at < 0 ? ~at : at, hit);
        if (list.Count > K) list.RemoveAt(list.Count - 1);
    }

    public void Merge(TopKTable other)
    {
        if (other.UnitCount != UnitCount) throw new ArgumentException($"cannot merge tables of {other.UnitCount} and {UnitCount} units");
        for (int unit = 0; unit < UnitCount; unit++)
            foreach (var hit in other.units[unit]) Offer(unit, hit);
    }

    public ExampleHit[][] ToArrays() => units.Select(u => u.ToArray()).ToArray();

    public static TopKTable FromArrays(ExampleHit[][] arrays, int k)
    {
        var table = new TopKTable(arrays.Length, k);
        for (int unit = 0; unit < arrays.Length; unit++)
            foreach (var hit in arrays[unit]) table.Offer(unit, hit);
        return table;
    }
}
