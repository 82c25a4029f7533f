using System.Text;
using Atlas.Storage;
using Microsoft.Win32.SafeHandles;

namespace Atlas.Site.Output;

/// <summary>
/// Writes the site's files below one folder and counts them. Each site path is written once: a
/// second write means two things map to one file (two units with one index, say), which is an error.
/// </summary>
internal sealed class SiteWriter(string root)
{
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _pages;
    private int _images;
    private long _bytes;

    public int Pages => _pages;
    public int Images => _images;
    public long Bytes => Interlocked.Read(ref _bytes);

    public async Task WritePageAsync(string sitePath, string html, CancellationToken ct)
    {
        await WriteAsync(sitePath, Encoding.UTF8.GetBytes(html), ct);
        Interlocked.Increment(ref _pages);
    }

    public async Task WriteImageAsync(string sitePath, byte[] content, CancellationToken ct)
    {
        await WriteAsync(sitePath, content, ct);
        Interlocked.Increment(ref _images);
    }

    /// <summary>
    /// An image that is already a file (in a local store), open as <paramref name="source"/>: linked into the site from
    /// <paramref name="linkFrom"/> where given and the file system allows, else copied from the open file, which still
    /// reads if the store removed it meanwhile.
    /// </summary>
    public async Task PlaceImageAsync(string sitePath, string? linkFrom, SafeFileHandle source, CancellationToken ct)
    {
        var full = Reserve(sitePath);
        var length = RandomAccess.GetLength(source);
        if (linkFrom is null || !HardLink.TryCreate(linkFrom, full))
        {
            await using var reader = new FileStream(source, FileAccess.Read);
            await using var target = new FileStream(full, FileMode.CreateNew, FileAccess.Write);
            await reader.CopyToAsync(target, ct);
        }
        Interlocked.Add(ref _bytes, length);
        Interlocked.Increment(ref _images);
    }

    /// <summary>
    /// An image that the site's destination already holds as it should be (a blob container the site is uploaded to):
    /// counted as part of the site, and reserved, but not written here.
    /// </summary>
    public void KeepPublishedImage(string sitePath, long length)
    {
        Claim(sitePath);
        Interlocked.Add(ref _bytes, length);
        Interlocked.Increment(ref _images);
    }

    public Task WriteAssetAsync(string sitePath, byte[] content, CancellationToken ct) => WriteAsync(sitePath, content, ct);

    private async Task WriteAsync(string sitePath, byte[] content, CancellationToken ct)
    {
        var full = Reserve(sitePath);
        await File.WriteAllBytesAsync(full, content, ct);
        Interlocked.Add(ref _bytes, content.Length);
    }

    /// <summary>The file a site path is written to, with its folder made; refused if it leads out of the site or was written before.</summary>
    private string Reserve(string sitePath)
    {
        var full = Claim(sitePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    /// <summary>The file a site path names, refused if it leads out of the site or was claimed before.</summary>
    private string Claim(string sitePath)
    {
        var full = Path.GetFullPath(Path.Combine(root, sitePath.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new SiteGenerationException($"site path '{sitePath}' leads outside the site folder");
        lock (_lock)
        {
            if (!_written.Add(sitePath))
                throw new SiteGenerationException($"two parts of the site map to the same file '{sitePath}'");
        }
        return full;
    }
}
