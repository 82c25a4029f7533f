using System.Buffers;

namespace Atlas.Core.Data;

/// <summary>
/// Float pixels from a byte data set (<see cref="IByteImageDataset"/>): its bytes go through a pooled array and are
/// widened exactly (b / 255). One place for what every byte data set's <see cref="IImageDataset.Read"/> and a CPU
/// pass's float buffers need: a fresh byte array per batch is hundreds of megabytes of new pages to fault in.
/// </summary>
public static class ByteImageReads
{
    /// <summary>Images [start, start + count) as floats into <paramref name="destination"/>; their labels and skips.</summary>
    public static ImageSlice ReadFloats(this IByteImageDataset data, int start, int count, Span<float> destination)
    {
        ImageSlice.Check(start, count, data.Count);
        int values = count * data.Channels * data.Height * data.Width;
        var bytes = ArrayPool<byte>.Shared.Rent(values);
        try
        {
            var slice = data.ReadBytes(start, count, bytes.AsSpan(0, values));
            PixelBytes.ToFloats(bytes.AsSpan(0, values), destination[..values]);
            return slice;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Images [start, start + count) as a new <see cref="ImageBatch"/> (what <see cref="IImageDataset.Read"/> returns).</summary>
    public static ImageBatch ReadBatch(this IByteImageDataset data, int start, int count)
    {
        ImageSlice.Check(start, count, data.Count);
        var pixels = new float[count * data.Channels * data.Height * data.Width];
        var slice = data.ReadFloats(start, count, pixels);
        return new ImageBatch(start, count, pixels, slice.Labels, slice.Skipped);
    }
}
