using System.Security.Cryptography;
using Atlas.Site.Layout;
using Atlas.Storage;
using Microsoft.Win32.SafeHandles;

namespace Atlas.Site.Output;

/// <summary>
/// One atlas version's images in the site a generation replaces, taken into the new site where the store still holds
/// the same bytes (the MD5 the store records for the key). A blob store's images would otherwise all be downloaded
/// again by every publish: a watcher republishes every version it keeps after each checkpoint, and a whole GoogLeNet
/// version shows over 100,000 images. A folder store records no hashes; its images are linked from the store instead.
/// </summary>
internal sealed class PreviousSiteImages
{
    /// <summary>Larger files are not read to be compared: no atlas picture comes near, and the store's copy is fetched instead.</summary>
    private const long LargestCompared = 64L << 20;

    private readonly string _site;
    private readonly IReadOnlyDictionary<string, byte[]> _storeHashes;
    private int _kept;

    private PreviousSiteImages(string site, IReadOnlyDictionary<string, byte[]> storeHashes)
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
    public static async Task<PreviousSiteImages?> OpenAsync(IArtifactStore store, string liveSite, AtlasLayout atlas, CancellationToken ct)
    {
        if (!Directory.Exists(Path.Combine(liveSite, atlas.Root.Replace('/', Path.DirectorySeparatorChar)))) return null;
        var hashes = await store.ContentHashesAsync(atlas.Root + "/", ct);
        return hashes is { Count: > 0 } ? new PreviousSiteImages(liveSite, hashes) : null;
    }

    /// <summary>
    /// Places the previous site's file for <paramref name="key"/> at <paramref name="sitePath"/> (a hard link where the
    /// file system allows: the old site is deleted once the new one is in place) and gives its size; null when the
    /// previous site has no such file or its bytes are not the store's, and the caller fetches the store's.
    /// </summary>
    public async Task<ImageSize?> TryPlaceAsync(string key, string sitePath, SiteWriter writer, CancellationToken ct)
    {
        if (!_storeHashes.TryGetValue(key, out var storeHash)) return null;
        var file = Path.Combine(_site, sitePath.Replace('/', Path.DirectorySeparatorChar));
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
        using (handle)
        {
            // Compared whole, not by size or date: a site file edited in place must not survive a publish.
            var length = RandomAccess.GetLength(handle);
            if (length > LargestCompared) return null;
            var bytes = new byte[length];
            var read = 0;
            while (read < bytes.Length && RandomAccess.Read(handle, bytes.AsSpan(read), read) is var n and > 0) read += n;
            if (read != bytes.Length || !MD5.HashData(bytes).AsSpan().SequenceEqual(storeHash)) return null;
            await writer.PlaceImageAsync(sitePath, file, handle, ct);
            Interlocked.Increment(ref _kept);
            return ImageSize.FromPngOrSquare(bytes);
        }
    }
}
