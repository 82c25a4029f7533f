using System.Collections.Concurrent;
using Atlas.Site.Layout;
using Atlas.Storage;

namespace Atlas.Site.Output;

/// <summary>Copies every image an atlas's pages show from the store into the site, and records each one's size.</summary>
internal static class ImageCopier
{
    /// <summary>Shown for an image that is not a PNG: square, which is what the atlas writes.</summary>
    private static readonly ImageSize Unknown = new(1, 1);

    public static async Task<IReadOnlyDictionary<string, ImageSize>> CopyAsync(
        IArtifactStore store, AtlasLayout atlas, SiteWriter writer, int parallelism, CancellationToken ct)
    {
        var images = atlas.ReferencedImages();
        foreach (var (key, referencedBy) in images) CheckKey(key, referencedBy);

        var sizes = new ConcurrentDictionary<string, ImageSize>(StringComparer.Ordinal);
        var missing = new ConcurrentBag<(string Key, string ReferencedBy)>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct };
        await Parallel.ForEachAsync(images, options, async (image, token) =>
        {
            var bytes = await store.GetAsync(image.Key, token);
            if (bytes is null)
            {
                missing.Add(image);
                return;
            }
            await writer.WriteImageAsync(atlas.ImagePath(image.Key), bytes, token);
            sizes[image.Key] = ImageSize.FromPng(bytes) ?? Unknown;
        });
        if (!missing.IsEmpty) throw Missing(store, missing);
        return sizes;
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
