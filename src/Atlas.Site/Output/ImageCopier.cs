using System.Collections.Concurrent;
using Atlas.Site.Layout;
using Atlas.Storage;
using Microsoft.Win32.SafeHandles;

namespace Atlas.Site.Output;

/// <summary>
/// Copies every image an atlas's pages show from the store into the site, and records each one's size. A local store's
/// files are hard-linked where the file system allows: a whole GoogLeNet atlas shows over 100,000 images, and every
/// publish (a watcher's, after each checkpoint) would otherwise write them all again.
/// </summary>
internal static class ImageCopier
{
    /// <param name="previous">The images of the site this generation replaces, taken where the store still holds the same
    /// bytes rather than fetched.</param>
    public static async Task<IReadOnlyDictionary<string, ImageSize>> CopyAsync(
        IArtifactStore store, AtlasLayout atlas, SiteWriter writer, SiteOptions options, PreviousSiteImages? previous, CancellationToken ct)
    {
        var images = atlas.ReferencedImages();
        var placed = new StepCounter(options.Counts, $"{atlas.Root}: images", images.Count);
        foreach (var (key, referencedBy) in images) CheckKey(key, referencedBy);

        var sizes = new ConcurrentDictionary<string, ImageSize>(StringComparer.Ordinal);
        var missing = new ConcurrentBag<(string Key, string ReferencedBy)>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelCopies), CancellationToken = ct };
        await Parallel.ForEachAsync(images, parallel, async (image, token) =>
        {
            if (await PlaceAsync(store, image.Key, atlas.ImagePath(image.Key), writer, options.LinkLocalImages, previous, token) is { } size) sizes[image.Key] = size;
            else missing.Add(image);
            placed.Advance();
        });
        if (!missing.IsEmpty) throw Missing(store, missing);
        return sizes;
    }

    /// <summary>One image into the site; its size, or null when the store does not hold it.</summary>
    private static async Task<ImageSize?> PlaceAsync(
        IArtifactStore store, string key, string sitePath, SiteWriter writer, bool link, PreviousSiteImages? previous, CancellationToken ct)
    {
        if (store.LocalFile(key) is { } file) return await PlaceFileAsync(file, sitePath, writer, link, ct);
        if (previous is not null && await previous.TryPlaceAsync(key, sitePath, writer, ct) is { } kept) return kept;
        var bytes = await store.GetAsync(key, ct);
        if (bytes is null) return null;
        await writer.WriteImageAsync(sitePath, bytes, ct);
        return ImageSize.FromPngOrSquare(bytes);
    }

    /// <summary>
    /// A local store's image, linked or copied into the site without reading it whole: only its header, for the size.
    /// Null when the file is missing.
    /// </summary>
    private static async Task<ImageSize?> PlaceFileAsync(string file, string sitePath, SiteWriter writer, bool link, CancellationToken ct)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        using (handle)
        {
            var header = new byte[24];
            var read = RandomAccess.Read(handle, header, 0);
            await writer.PlaceImageAsync(sitePath, link ? file : null, handle, ct);
            return ImageSize.FromPngOrSquare(header.AsSpan(0, read));
        }
    }

    /// <summary>Names every missing image (the first few in full), in key order, so the message is the same on every run.</summary>
    private static SiteGenerationException Missing(IArtifactStore store, IEnumerable<(string Key, string ReferencedBy)> missing)
    {
        const int shown = 10;
        var sorted = missing.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        var lines = sorted.Take(shown).Select(m => $"'{m.Key}' (named by {m.ReferencedBy})");
        var more = sorted.Count > shown ? $"; and {sorted.Count - shown} more" : "";
        return new SiteGenerationException(
            $"{sorted.Count} image(s) missing from {store.Description}: {string.Join("; ", lines)}{more}");
    }

    private static void CheckKey(string key, string referencedBy)
    {
        try
        {
            ArtifactKey.Validate(key);
        }
        catch (ArgumentException e)
        {
            throw new SiteGenerationException($"image key '{key}' (named by {referencedBy}) is not a valid artifact key: {e.Message}", e);
        }
    }
}
