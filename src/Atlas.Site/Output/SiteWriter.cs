using System.Text;

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

    public Task WriteAssetAsync(string sitePath, byte[] content, CancellationToken ct) => WriteAsync(sitePath, content, ct);

    private async Task WriteAsync(string sitePath, byte[] content, CancellationToken ct)
    {
        var full = Path.GetFullPath(Path.Combine(root, sitePath.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new SiteGenerationException($"site path '{sitePath}' leads outside the site folder");
        lock (_lock)
        {
            if (!_written.Add(sitePath))
                throw new SiteGenerationException($"two parts of the site map to the same file '{sitePath}'");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllBytesAsync(full, content, ct);
        Interlocked.Add(ref _bytes, content.Length);
    }
}
