using Atlas.Site.Layout;
using Atlas.Storage;

namespace Atlas.Site.Output;

/// <summary>
/// The images of the site a generation replaces, taken into the new site where the store still holds the same bytes (the
/// MD5 the store records for each key): from the same place for a version the site had, or from another version's copy
/// of the same picture for a new one (the data set's images, the pictures of layers a watched checkpoint left
/// unchanged). A blob store's images would otherwise all be downloaded again by every publish: a watcher republishes
/// every version it keeps after each checkpoint, and a whole GoogLeNet version shows over 100,000 images. A folder store
/// records no hashes; its images are linked from the store instead.
/// </summary>
internal sealed class PreviousSiteImages
{
    /// <summary>Other places a picture is tried from before it is fetched: copies that differ from the store's are rare.</summary>
    private const int OtherPlacesTried = 3;

    private readonly IPreviousSite _site;
    private readonly Dictionary<string, byte[]> _storeHashes;
    private readonly Dictionary<string, List<string>> _placesByHash;
    private readonly HashSet<string> _places;
    private int _kept;

    private PreviousSiteImages(
        IPreviousSite site, Dictionary<string, byte[]> storeHashes, Dictionary<string, List<string>> placesByHash, HashSet<string> places)
    {
        _site = site;
        _storeHashes = storeHashes;
        _placesByHash = placesByHash;
        _places = places;
    }

    /// <summary>How many images were taken from the previous site so far.</summary>
    public int Kept => _kept;

    /// <summary>
    /// What the previous site holds of the store's images, from one listing of each version's keys; null when there is
    /// nothing to take: no previous site, or a store that records no hashes.
    /// </summary>
    public static async Task<PreviousSiteImages?> OpenAsync(
        IArtifactStore store, IPreviousSite? site, IReadOnlyList<AtlasLayout> atlases, CancellationToken ct)
    {
        if (site is null || !atlases.Any(a => site.HasVersion(a.Root))) return null;
        var storeHashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var placesByHash = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var places = new HashSet<string>(StringComparer.Ordinal);
        foreach (var atlas in atlases)
        {
            if (await store.ContentHashesAsync(atlas.Root + "/", ct) is not { } hashes) return null;
            foreach (var (key, hash) in hashes) storeHashes[key] = hash;
            if (!site.HasVersion(atlas.Root)) continue;
            // Where the previous site shows each picture of this version, which it published from these same keys.
            foreach (var (key, _) in atlas.ReferencedImages())
            {
                if (!hashes.TryGetValue(key, out var hash)) continue;
                var place = atlas.ImagePath(key);
                places.Add(place);
                var hex = Convert.ToHexString(hash);
                if (!placesByHash.TryGetValue(hex, out var list)) placesByHash[hex] = list = [];
                list.Add(place);
            }
        }
        return storeHashes.Count > 0 ? new PreviousSiteImages(site, storeHashes, placesByHash, places) : null;
    }

    /// <summary>The previous site's copy of <paramref name="key"/> placed at <paramref name="sitePath"/>, and its size; null when it has none that is the store's.</summary>
    public async Task<ImageSize?> TryPlaceAsync(string key, string sitePath, SiteWriter writer, CancellationToken ct)
    {
        if (!_storeHashes.TryGetValue(key, out var storeHash)) return null;
        var size = _places.Contains(sitePath) ? await _site.TryPlaceAsync(sitePath, sitePath, storeHash, writer, ct) : null;
        if (size is null && _placesByHash.TryGetValue(Convert.ToHexString(storeHash), out var others))
        {
            foreach (var from in others.Where(p => p != sitePath).Take(OtherPlacesTried))
            {
                if ((size = await _site.TryPlaceAsync(from, sitePath, storeHash, writer, ct)) is not null) break;
            }
        }
        if (size is not null) Interlocked.Increment(ref _kept);
        return size;
    }
}
