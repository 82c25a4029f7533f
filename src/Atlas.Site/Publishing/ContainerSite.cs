using System.Collections.Concurrent;
using System.Globalization;
using Atlas.Site.Layout;
using Atlas.Site.Output;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Atlas.Site.Publishing;

/// <summary>
/// What a blob container held before a publish, listed once: each blob's MD5 and headers, and the size the publisher
/// records on every image (metadata), so pages can give an image's size without downloading it. As the previous site of
/// a generation it keeps, where they are, the images the store still holds unchanged, and copies within the container
/// those a new version shares with one it holds: they are neither downloaded from the store nor uploaded again.
/// </summary>
internal sealed class ContainerSite : IPreviousSite
{
    private const string WidthKey = "width";
    private const string HeightKey = "height";

    private readonly ConcurrentDictionary<string, byte> _kept = new(StringComparer.Ordinal);
    private readonly BlobContainerClient _container;

    private ContainerSite(BlobContainerClient container, IReadOnlyDictionary<string, BlobItem> blobs)
    {
        _container = container;
        Blobs = blobs;
    }

    /// <summary>Every blob the container held, by name.</summary>
    public IReadOnlyDictionary<string, BlobItem> Blobs { get; }

    /// <summary>The images a generation kept where they are or copied from another version's, by site path.</summary>
    public ICollection<string> Kept => _kept.Keys;

    /// <summary>Lists the container (none yet is an empty site); refuses one that holds something other than a generated site.</summary>
    public static async Task<ContainerSite> ReadAsync(BlobContainerClient container, CancellationToken ct)
    {
        var blobs = new Dictionary<string, BlobItem>(StringComparer.Ordinal);
        try
        {
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, ct)) blobs[item.Name] = item;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No container yet: an empty site.
        }
        if (blobs.Count > 0 && !blobs.ContainsKey(StagingFolder.MarkerFile))
            throw new SiteGenerationException(
                $"blob container '{container.Name}' at {container.Uri.GetLeftPart(UriPartial.Path)} is not empty and holds no generated site " +
                $"({StagingFolder.MarkerFile} is missing); refusing to publish over it");
        return new ContainerSite(container, blobs);
    }

    /// <summary>Only a version whose own index went up, which the publisher uploads after everything else of it.</summary>
    public bool HasVersion(string versionRoot) => Blobs.ContainsKey($"{versionRoot}/index.html");

    /// <summary>
    /// The same place is kept as it is. Another version's copy is copied by the service (Copy Blob within the container,
    /// which brings its headers and recorded size along); where the service will not copy (a SAS that may not read the
    /// source by its address), null, and the image is fetched from the store.
    /// </summary>
    public async Task<ImageSize?> TryPlaceAsync(string from, string sitePath, byte[] storeHash, SiteWriter writer, CancellationToken ct)
    {
        if (!Blobs.TryGetValue(from, out var blob) || !IsCurrent(from, blob, storeHash) || SizeOf(blob) is not { } size) return null;
        if (from != sitePath)
        {
            try
            {
                var copy = await _container.GetBlobClient(sitePath).StartCopyFromUriAsync(_container.GetBlobClient(from).Uri, cancellationToken: ct);
                await copy.WaitForCompletionAsync(ct);
            }
            catch (RequestFailedException e) when (e.Status is 401 or 403 or 404)
            {
                return null;
            }
        }
        writer.KeepPublishedImage(sitePath, blob.Properties.ContentLength ?? 0);
        _kept.TryAdd(sitePath, 0);
        return size;
    }

    /// <summary>
    /// Whether the blob holds bytes with MD5 <paramref name="md5"/> under the headers the publisher gives a file of this
    /// name, and (for an image) the recorded size: a blob from an older publish without one is uploaded again to get it.
    /// </summary>
    public static bool IsCurrent(string name, BlobItem blob, ReadOnlySpan<byte> md5) =>
        blob.Properties.ContentHash is { } hash && hash.AsSpan().SequenceEqual(md5) &&
        blob.Properties.ContentType == ContentTypes.For(name) &&
        blob.Properties.CacheControl == ContentTypes.CacheControlFor(name) &&
        (!IsImage(name) || SizeOf(blob) is not null);

    /// <summary>The metadata an uploaded file carries: an image's size, as its page gives it.</summary>
    public static Dictionary<string, string>? Metadata(string name, ReadOnlySpan<byte> content)
    {
        if (!IsImage(name)) return null;
        var size = ImageSize.FromPngOrSquare(content);
        return new Dictionary<string, string>
        {
            [WidthKey] = size.Width.ToString(CultureInfo.InvariantCulture),
            [HeightKey] = size.Height.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static bool IsImage(string name) => ContentTypes.For(name).StartsWith("image/", StringComparison.Ordinal);

    private static ImageSize? SizeOf(BlobItem blob) =>
        blob.Metadata is { } metadata &&
        metadata.TryGetValue(WidthKey, out var width) && int.TryParse(width, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 0 &&
        metadata.TryGetValue(HeightKey, out var height) && int.TryParse(height, NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h > 0
            ? new ImageSize(w, h)
            : null;
}
