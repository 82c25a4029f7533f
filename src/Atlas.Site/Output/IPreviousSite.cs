using Atlas.Site.Layout;

namespace Atlas.Site.Output;

/// <summary>
/// The site a generation replaces (a folder, or a blob container), as a source of the images that the store still holds
/// unchanged, so that they are not fetched from the store again.
/// </summary>
internal interface IPreviousSite
{
    /// <summary>Whether the site holds the atlas version whose pages lie under <paramref name="versionRoot"/>.</summary>
    bool HasVersion(string versionRoot);

    /// <summary>
    /// Puts the site's file at <paramref name="from"/> into the new site at <paramref name="sitePath"/> (the same path, or
    /// another version's copy of the same picture), when its bytes have the MD5 <paramref name="storeHash"/> that the store
    /// records for the image, and gives its size; null when the site has no such file or holds other bytes there.
    /// </summary>
    Task<ImageSize?> TryPlaceAsync(string from, string sitePath, byte[] storeHash, SiteWriter writer, CancellationToken ct);
}
