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
public sealed class ImageFolderDataset : IImageDataset
{
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    private readonly (string Path, int Label)[] files;
    private readonly ImageGeometry geometry;
    private readonly ConcurrentDictionary<int, SkippedImage> skipped = new();

    public ImageFolderDataset(string root, ImageGeometry geometry, int? limit = null)
    {
        var listing = ImageFolderListing.Of(root);
        this.geometry = geometry;
        ClassNames = listing.ClassNames;
        files = listing.Files;
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
        if (start < 0 || count < 0 || start + count > Count) throw new ArgumentOutOfRangeException(nameof(start), $"slice {start}+{count} outside 0..{Count}");
        int stride = geometry.PixelsPerImage;
        var pixels = new float[count * stride];
        var labels = new int[count];
        bool[]? missing = null;
        // Decoding dominates a pass over photos and each image is independent.
        Parallel.For(0, count, i =>
        {
            var (path, label) = files[start + i];
            var problem = ImageFileDecoder.TryDecode(path, geometry, pixels.AsSpan(i * stride, stride));
            if (problem is null)
            {
                labels[i] = label;
                return;
            }
            pixels.AsSpan(i * stride, stride).Clear();
            labels[i] = -1;
            lock (skipped)
            {
                missing ??= new bool[count];
                missing[i] = true;
            }
            skipped.TryAdd(start + i, new SkippedImage(start + i, path, problem));
        });
        return new ImageBatch(start, count, pixels, labels, missing);
    }

    public void Dispose()
    {
    }
}
