namespace Atlas.Site.Publishing;

/// <summary>
/// The Content-Type and Cache-Control of each kind of site file, shared by the blob publisher and
/// the preview server so both serve the site the same way.
/// </summary>
public static class ContentTypes
{
    /// <summary>
    /// Pages, scripts and styles change with every publish: clients revalidate them (cheap, by ETag)
    /// so a new index is seen at once. Images belong to an immutable atlas version, so they may be
    /// kept for a day without asking.
    /// </summary>
    public const string RevalidateAlways = "no-cache";
    public const string CacheImages = "public, max-age=86400";

    public static string For(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" or ".htm" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".svg" => "image/svg+xml",
        ".txt" => "text/plain; charset=utf-8",
        _ when Path.GetFileName(path) == Output.StagingFolder.MarkerFile => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };

    public static string CacheControlFor(string path) => For(path).StartsWith("image/", StringComparison.Ordinal) ? CacheImages : RevalidateAlways;
}
