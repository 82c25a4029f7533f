using Atlas.Site.Layout;
using Atlas.Storage;

namespace Atlas.Site.Output;

/// <summary>
/// One atlas version's images in the site a generation replaces, taken into the new site where the store still holds
/// the same bytes (the MD5 the store records for the key). A blob store's images would otherwise all be downloaded
/// again by every publish: a watcher republishes every version it keeps after each checkpoint, and a whole GoogLeNet
/// version shows over 100,000 images. A folder store records no hashes; its images are linked from the store instead.
/// </summary>
internal sealed class PreviousSiteImages
{
    private readonly IPreviousSite _site;
    private readonly IReadOnlyDictionary<string, byte[]> _storeHashes;
    private int _kept;

    private PreviousSiteImages(IPreviousSite site, IReadOnlyDictionary<string, byte[]> storeHashes)
    {
        _site = site;
        _storeHashes = storeHashes;
    }

    /// <summary>How many images were taken from the previous site.</summary>
    public int Kept => _kept;

    /// <summary>
    /// The previous site's images of <paramref name="atlas"/>, or null when there is nothing to take: no previous site
    /// with this version, or a store that records no hashes (one listing of the version's keys tells).
    /// </summary>
    public static async Task<PreviousSiteImages?> OpenAsync(IArtifactStore store, IPreviousSite? site, AtlasLayout atlas, CancellationToken ct)
    {
        if (site is null || !site.HasVersion(atlas.Root)) return null;
        var hashes = await store.ContentHashesAsync(atlas.Root + "/", ct);
        return hashes is { Count: > 0 } ? new PreviousSiteImages(site, hashes) : null;
    }

    /// <summary>The previous site's copy of <paramref name="key"/> placed at <paramref name="sitePath"/>, and its size; null when it has none that is the store's.</summary>
    public async Task<ImageSize?> TryPlaceAsync(string key, string sitePath, SiteWriter writer, CancellationToken ct)
    {
        if (!_storeHashes.TryGetValue(key, out var storeHash)) return null;
        var size = await _site.TryPlaceAsync(sitePath, storeHash, writer, ct);
        if (size is not null) Interlocked.Increment(ref _kept);
        return size;
    }
}
