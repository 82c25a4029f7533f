using Atlas.Core.Configuration;

namespace Atlas.Core.Data;

/// <summary>
/// Opens the dataset a config names, at the geometry the config asks for (the config loader fills it
/// in from the model); a missing folder or file is an input error naming it.
/// </summary>
public static class DatasetOpener
{
    public static IImageDataset Open(DatasetConfig config, string? split = null)
    {
        split ??= config.Split;
        if (!Directory.Exists(config.Path)) throw new AtlasInputException($"dataset.path: data folder '{config.Path}' not found");
        if (ImageFolderGeometry(config) is { } geometry)
        {
            var folder = new ImageFolderDataset(config.Path, geometry, config.Limit, config.Sample);
            return config.PixelCache is { } cache ? new PixelCacheDataset(folder, cache, config.Path, geometry) : folder;
        }

        IImageDataset data = config.Kind switch
        {
            "fashion-mnist" => FashionMnist.Open(config.Path, split, config.Limit),
            _ => OpenIdx(config.Path, split, config.Limit),
        };
        int size = config.ImageSize ?? data.Height, channels = config.Channels ?? data.Channels;
        if (size == data.Height && size == data.Width && channels == data.Channels) return data;
        return new ConformedDataset(data, ImageGeometry.For(size, channels, config.ResizeShorterSide));
    }

    /// <summary>How an image folder's files become the model's pixels; null for a data set of another kind.</summary>
    public static ImageGeometry? ImageFolderGeometry(DatasetConfig config) =>
        // Photos have no size of their own to keep: default to the ImageNet convention when no model said otherwise.
        config.Kind == "image-folder" ? ImageGeometry.For(config.ImageSize ?? 224, config.Channels ?? 3, config.ResizeShorterSide, config.ReducedScaleDecode) : null;

    private static IdxDataset OpenIdx(string folder, string split, int? limit)
    {
        var images = IdxFiles.Images(folder, split)
            ?? throw new AtlasInputException($"dataset.path: no {split} images in '{folder}' (looked for {split}-images-idx3-ubyte{(split == "test" ? " or t10k-images-idx3-ubyte" : "")}, plain or .gz)");
        return new IdxDataset(Path.GetFileName(folder), images, IdxFiles.Labels(folder, split), ReadClassNames(folder), limit);
    }

    /// <summary>
    /// Optional classes.txt beside IDX files: one class name per line, in label order; null without one, or with no name
    /// in it (the labels' numbers name them then).
    /// </summary>
    private static IReadOnlyList<string>? ReadClassNames(string folder)
    {
        var file = Path.Combine(folder, "classes.txt");
        var names = File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToList() : [];
        return names.Count > 0 ? names : null;
    }
}
