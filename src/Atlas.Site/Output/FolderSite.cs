using System.Security.Cryptography;
using Atlas.Site.Layout;
using Microsoft.Win32.SafeHandles;

namespace Atlas.Site.Output;

/// <summary>The folder site a generation replaces: its image files are linked into the new site where they are the store's.</summary>
internal sealed class FolderSite(string folder) : IPreviousSite
{
    /// <summary>Larger files are not read to be compared: no atlas picture comes near, and the store's copy is fetched instead.</summary>
    private const long LargestCompared = 64L << 20;

    public bool HasVersion(string versionRoot) => Directory.Exists(PathOf(versionRoot));

    public async Task<ImageSize?> TryPlaceAsync(string from, string sitePath, byte[] storeHash, SiteWriter writer, CancellationToken ct)
    {
        var file = PathOf(from);
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
            // A link where the file system allows: the old site is deleted once the new one is in place.
            await writer.PlaceImageAsync(sitePath, file, handle, ct);
            return ImageSize.FromPngOrSquare(bytes);
        }
    }

    private string PathOf(string sitePath) => Path.Combine(folder, sitePath.Replace('/', Path.DirectorySeparatorChar));
}
