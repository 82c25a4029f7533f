using System.Collections.Concurrent;

namespace Atlas.Core.Data;

/// <summary>
/// A folder with one subfolder of images per class, like torchvision's ImageFolder: classes are the
/// subfolder names in ordinal order (label = position), images are the JPEG/PNG/BMP/WebP files below
/// each class folder in ordinal path order. Only the file list is held (listed once per process while the
/// folders stay unchanged, see <see cref="ImageFolderListing"/>); pixels are decoded per slice.
/// A file that cannot be read or decoded is skipped (see <see cref="ImageBatch.Skipped"/>), counted and
/// listed in <see cref="SkippedImages"/>, never fatal.
/// </summary>
public sealed class ImageFolderDataset : IByteImageDataset, IFileDataset
{
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"];

    private readonly (string Path, int Label)[] files;
    private readonly ImageGeometry geometry;
    private readonly ConcurrentDictionary<int, SkippedImage> skipped = new();

    /// <param name="limit">Only the first N images.</param>
    /// <param name="sample">N images spread evenly over the list: image i is the listing's floor(i × count / N)-th.</param>
    public ImageFolderDataset(string root, ImageGeometry geometry, int? limit = null, int? sample = null)
    {
        var listing = ImageFolderListing.Of(root);
        this.geometry = geometry;
        ClassNames = listing.ClassNames;
        files = sample is int n && n < listing.Files.Length
            ? [.. Enumerable.Range(0, n).Select(i => listing.Files[(int)((long)i * listing.Files.Length / n)])]
            : listing.Files;
        Count = limit is > 0 ? Math.Min(limit.Value, files.Length) : files.Length;
        Name = $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)))} (image folder)";
    }

    public string Name { get; }
    public int Count { get; }
    public int Channels => geometry.Channels;
    public int Height => geometry.Size;
    public int Width => geometry.Size;
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Images this instance could not read so far, in index order.</summary>
    public IReadOnlyList<SkippedImage> SkippedImages => skipped.Values.OrderBy(s => s.Index).ToList();

    /// <summary>The file behind image <paramref name="index"/>.</summary>
    public string FileOf(int index) => files[index].Path;

    /// <summary>The class label of image <paramref name="index"/> (its class folder's position).</summary>
    public int LabelOf(int index) => files[index].Label;

    // Every image is its own file, and the skip records are concurrent collections.
    public bool ConcurrentReads => true;

    public ImageBatch Read(int start, int count)
    {
        ImageSlice.Check(start, count, Count);
        var pixels = new float[count * geometry.PixelsPerImage];
        var slice = Decode(start, count, (i, path) => ImageFileDecoder.TryDecode(path, geometry, pixels.AsSpan(i * geometry.PixelsPerImage, geometry.PixelsPerImage)));
        return new ImageBatch(start, count, pixels, slice.Labels, slice.Skipped);
    }

    public unsafe ImageSlice ReadBytes(int start, int count, Span<byte> destination)
    {
        ImageSlice.Check(start, count, Count);
        int stride = geometry.PixelsPerImage;
        if (destination.Length < count * stride) throw new ArgumentException($"{destination.Length} bytes for {count} images of {stride}", nameof(destination));
        // The images decode on several threads, which cannot capture a span, so they share its address: fixed
        // for as long as the (synchronous) decoding runs. Decoding into a pooled array and copying that instead
        // cost a copy of every batch and, per reader thread, a pooled array as large as a batch (256 MB at 1,024 images).
        fixed (byte* first = destination)
        {
            nint address = (nint)first;
            var slice = Decode(start, count, (i, path) => ImageFileDecoder.TryDecode(path, geometry, new Span<byte>((byte*)address + (long)i * stride, stride)));
            for (int i = 0; i < count; i++)
            {
                if (slice.IsSkipped(i)) destination.Slice(i * stride, stride).Clear(); // the buffer holds another batch's pixels
            }
            return slice;
        }
    }

    /// <summary>
    /// Decodes each image with <paramref name="decode"/> (its position in the slice and its file; returns null or
    /// why not) on all cores: decoding dominates a pass over photos and each image is independent. The decoder
    /// writes an image's pixels only when it succeeds.
    /// </summary>
    private ImageSlice Decode(int start, int count, Func<int, string, string?> decode)
    {
        var labels = new int[count];
        bool[]? missing = null;
        Parallel.For(0, count, i =>
        {
            var (path, label) = files[start + i];
            var problem = decode(i, path);
            if (problem is null)
            {
                labels[i] = label;
                return;
            }
            labels[i] = -1;
            lock (skipped)
            {
                missing ??= new bool[count];
                missing[i] = true;
            }
            skipped.TryAdd(start + i, new SkippedImage(start + i, path, problem));
        });
        return new ImageSlice(start, count, labels, missing);
    }

    public void Dispose()
    {
    }
}
