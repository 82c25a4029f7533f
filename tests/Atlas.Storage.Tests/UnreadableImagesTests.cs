using Atlas.Storage.Manifests;

namespace Atlas.Storage.Tests;

/// <summary>Shards' unreadable images merge into one count and the first files by index, however the shards arrive.</summary>
public class UnreadableImagesTests
{
    private static UnreadableImages Shard(int from, int count) =>
        new(count, Enumerable.Range(from, Math.Min(count, UnreadableImages.Named)).Select(i => new UnreadableImage(i, $"c/{i}.jpg", "truncated")).ToList());

    [Fact]
    public void Merging_sums_the_counts_and_keeps_the_first_files_by_index_up_to_the_named_limit()
    {
        var late = Shard(100, 15);
        var early = Shard(0, 12);

        var merged = UnreadableImages.Merge(UnreadableImages.Merge(null, late), early)!;

        Assert.Equal(27, merged.Count);
        Assert.Equal(UnreadableImages.Named, merged.First.Count);
        Assert.Equal(Enumerable.Range(0, 12).Concat(Enumerable.Range(100, 8)), merged.First.Select(i => i.Index));
        Assert.Null(UnreadableImages.Merge(null, null));
        Assert.Same(early, UnreadableImages.Merge(early, null));
    }
}
