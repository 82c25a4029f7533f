namespace Atlas.Core.Data;

/// <summary>Reading scattered single images (a unit's top examples), which passes over slices do not do.</summary>
public static class ImageReads
{
    /// <summary>
    /// Images <paramref name="indices"/>, one batch each, in that order: decoded on all cores when the data set
    /// allows concurrent reads, since a photo costs milliseconds to decode, otherwise one after another.
    /// </summary>
    public static IReadOnlyList<ImageBatch> ReadEach(this IImageDataset data, IReadOnlyList<int> indices, CancellationToken cancellationToken = default)
    {
        if (!data.ConcurrentReads) return indices.Select(index => data.Read(index, 1)).ToList();
        return indices.AsParallel().AsOrdered().WithCancellation(cancellationToken).Select(index => data.Read(index, 1)).ToList();
    }
}
