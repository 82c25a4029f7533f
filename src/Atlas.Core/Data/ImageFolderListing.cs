using System.Collections.Concurrent;

namespace Atlas.Core.Data;

/// <summary>
/// The class folders and image files of an image folder, listed once per process and reused while no folder
/// under it has changed. Every dataset shard, analysis unit and model load opens the data set again, and
/// listing a folder costs about 1.5 µs a file (290 ms for 200,000 files here; seconds for ImageNet's
/// 1.28 million), which a GPU would otherwise sit out on every shard.
/// </summary>
/// <remarks>
/// A folder's modification time changes when a file or folder is added to it, removed or renamed, so
/// comparing the times of the root and of every folder below it (a few milliseconds for a thousand
/// classes) tells whether the list still holds. Changing an image in place keeps the list, which is right:
/// pixels are read from the files each time.
/// </remarks>
public sealed class ImageFolderListing
{
    private static readonly ConcurrentDictionary<string, ImageFolderListing> Listed = new(StringComparer.Ordinal);

    private readonly (string Path, DateTime Modified)[] folders;

    private ImageFolderListing(IReadOnlyList<string> classNames, (string Path, int Label)[] files, (string, DateTime)[] folders, int looseImages)
    {
        ClassNames = classNames;
        Files = files;
        this.folders = folders;
        LooseImages = looseImages;
    }

    /// <summary>Images directly in the root, beside the class folders: in no class, so not in the data set.</summary>
    public int LooseImages { get; }

    /// <summary>
    /// A warning where the image folder a data set config names holds images beside its class folders, which the data set
    /// leaves out as torchvision's ImageFolder does; null where it holds none (or is no image folder).
    /// </summary>
    public static string? LooseImagesWarning(Configuration.DatasetConfig dataset) =>
        dataset.Kind == "image-folder" && Of(dataset.Path).LooseImages is > 0 and var loose
            ? $"dataset.path: {loose} image(s) directly in '{dataset.Path}' are in no class folder, so they are not in the data set (only the class subfolders' images are, as in torchvision's ImageFolder)"
            : null;

    /// <summary>Class names: the subfolder names in ordinal order (label = position).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Image files below each class folder in ordinal path order, with their labels.</summary>
    public (string Path, int Label)[] Files { get; }

    /// <summary>The listing of <paramref name="root"/>: the one made before if no folder under it changed since.</summary>
    public static ImageFolderListing Of(string root)
    {
        if (!Directory.Exists(root)) throw new AtlasInputException($"dataset.path: image folder '{root}' not found");
        var key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (Listed.TryGetValue(key, out var known) && known.IsCurrent()) return known;
        var listing = Read(root);
        Listed[key] = listing;
        return listing;
    }

    private bool IsCurrent() => folders.All(f => Directory.Exists(f.Path) && Directory.GetLastWriteTimeUtc(f.Path) == f.Modified);

    private static ImageFolderListing Read(string root)
    {
        // Times are taken before the listing: a change made while it runs shows as a newer time next time.
        var stamps = new List<(string, DateTime)> { (root, Directory.GetLastWriteTimeUtc(root)) };
        var classFolders = Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var loose = Directory.EnumerateFiles(root).Count(IsImage);
        if (classFolders.Count == 0)
        {
            // Unlabelled images dumped in one folder are common; say how to make them one class instead of only refusing.
            throw new AtlasInputException(loose > 0
                ? $"dataset.path: '{root}' holds {loose} images but no class subfolders (expected one folder of images per class, like torchvision's ImageFolder); images without classes can go in one subfolder, such as '{Path.Combine(root, "all")}'"
                : $"dataset.path: '{root}' has no class subfolders (expected one folder of images per class, like torchvision's ImageFolder)");
        }
        var files = new List<(string Path, int Label)>();
        for (int label = 0; label < classFolders.Count; label++)
        {
            var folder = classFolders[label];
            stamps.Add((folder, Directory.GetLastWriteTimeUtc(folder)));
            var (below, found) = ClassFolderWalk.Of(root, folder);
            stamps.AddRange(below.Select(d => (d, Directory.GetLastWriteTimeUtc(d))));
            files.AddRange(found.Where(IsImage).Order(StringComparer.Ordinal).Select(path => (path, label)));
        }
        if (files.Count == 0)
            throw new AtlasInputException($"dataset.path: no images ({string.Join(", ", ImageFolderDataset.Extensions)}) under the class folders of '{root}'");
        return new ImageFolderListing(classFolders.Select(Path.GetFileName).ToList()!, files.ToArray(), stamps.ToArray(), loose);
    }

    private static bool IsImage(string path) =>
        ImageFolderDataset.Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase) && !Path.GetFileName(path).StartsWith('.');
}
