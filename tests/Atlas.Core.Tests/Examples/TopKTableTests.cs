using Atlas.Core.Examples;

namespace Atlas.Core.Tests.Examples;

public class TopKTableTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(9, 200)]
    [InlineData(20, 7)]
    public void Streaming_top_k_equals_brute_force_sort(int k, int images)
    {
        var random = new Random(k * 1000 + images);
        // Few distinct values, so ties are common and the tie-break is exercised.
        var values = Enumerable.Range(0, images).Select(_ => (float)random.Next(0, 12)).ToArray();
        var table = new TopKTable(unitCount: 1, k);
        foreach (var i in Enumerable.Range(0, images).OrderBy(_ => random.Next()))
            table.Offer(0, new ExampleHit(i, values[i], 0, 0, -1));

        var expected = Enumerable.Range(0, images).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k).ToArray();
        Assert.Equal(expected, table.For(0).Select(h => h.Image).ToArray());
    }

    [Fact]
    public void Merging_shards_equals_one_pass_over_everything()
    {
        var random = new Random(3);
        var hits = Enumerable.Range(0, 500).Select(i => new ExampleHit(i, random.Next(0, 50) / 7f, random.Next(7), random.Next(7), i % 10)).ToArray();
        var whole = new TopKTable(1, 9);
        foreach (var hit in hits) whole.Offer(0, hit);

        var merged = new TopKTable(1, 9);
        foreach (var shard in hits.Chunk(64))
        {
            var part = new TopKTable(1, 9);
            foreach (var hit in shard) part.Offer(0, hit);
            merged.Merge(TopKTable.FromArrays(part.ToArrays(), 9));
        }
        Assert.Equal(whole.For(0), merged.For(0));
    }
}
