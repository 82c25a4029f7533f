using Atlas.Site.Layout;

namespace Atlas.Site.Output;

/// <summary>Writes the stylesheet and script every page shares, from the copies embedded in this assembly.</summary>
internal static class SiteAssets
{
    public static async Task WriteAsync(SiteWriter writer, CancellationToken ct)
    {
        await writer.WriteAssetAsync(SitePath.Stylesheet, Read("Atlas.Site.site.css"), ct);
        await writer.WriteAssetAsync(SitePath.Script, Read("Atlas.Site.site.js"), ct);
        await writer.WriteAssetAsync(SitePath.SearchScript, Read("Atlas.Site.search.js"), ct);
        await writer.WriteAssetAsync(SitePath.Icon, Read("Atlas.Site.favicon.svg"), ct);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(SiteAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource '{name}' is missing from Atlas.Site");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
