namespace Atlas.Core.Data;

/// <summary>
/// A labelled image collection read in slices, so a pass over it never holds the whole set in memory.
/// Pixels come back as floats in [0,1], image after image, each C×H×W.
/// </summary>
public interface IImageDataset : IDisposable
{
    string Name { get; }
    int Count { get; }
    int Channels { get; }
    int Height { get; }
    int Width { get; }
    IReadOnlyList<string> ClassNames { get; }

    ImageBatch Read(int start, int count);

    /// <summary>Whether <see cref="Read"/> may run on several threads at once (readers of one shared file stream may not).</summary>
    bool ConcurrentReads => false;

    /// <summary>Images that could not be read in the slices read so far (they come back flagged as skipped), by index.</summary>
    IReadOnlyList<SkippedImage> SkippedImages => [];
}

/// <summary>
/// A data set whose pixels are 8-bit values at their source (decoded photos, the pixel cache): it writes them
/// as bytes (each value × 255) straight into a batch buffer. A GPU pass sends bytes (<see cref="PixelBytes"/>),
/// so no float copy of the batch is made and checked on the way.
/// </summary>
public interface IByteImageDataset : IImageDataset
{
    /// <summary>
    /// Writes images [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) into
    /// <paramref name="destination"/> (count × C×H×W bytes, laid out as <see cref="IImageDataset.Read"/>'s floats) and
    /// returns their labels and skips.
    /// </summary>
    ImageSlice ReadBytes(int start, int count, Span<byte> destination);
}

/// <summary>What a batch says about its images besides their pixels (see <see cref="ImageBatch"/>).</summary>
public sealed record ImageSlice(int Start, int Count, int[] Labels, bool[]? Skipped = null)
{
    public bool IsSkipped(int index) => Skipped is not null && Skipped[index];

    /// <summary>Throws unless [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) lies within a data set of <paramref name="total"/> images.</summary>
    public static void Check(int start, int count, int total)
    {
        if (start < 0 || count < 0 || start + count > total) throw new ArgumentOutOfRangeException(nameof(start), $"slice {start}+{count} outside 0..{total}");
    }
}

/// <summary>
/// <paramref name="Labels"/> hold −1 for unlabelled images. <paramref name="Skipped"/> (null when none)
/// marks images that could not be read: their pixels are zeros and their label −1, and consumers must
/// leave them out of any result. Indices stay stable, so image <c>Start + i</c> is always the same file.
/// </summary>
public sealed record ImageBatch(int Start, int Count, float[] Pixels, int[] Labels, bool[]? Skipped = null)
{
    public bool IsSkipped(int index) => Skipped is not null && Skipped[index];

    public ImageSlice Slice => new(Start, Count, Labels, Skipped);
}

/// <summary>An image left out of a pass because it could not be read or decoded.</summary>
public sealed record SkippedImage(int Index, string Path, string Reason);
