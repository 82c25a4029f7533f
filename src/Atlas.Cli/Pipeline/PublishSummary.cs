using Atlas.Site;
using Atlas.Site.Publishing;
using Spectre.Console;

namespace Atlas.Cli.Pipeline;

/// <summary>The lines a finished publish prints, the same after `publish` as after `run`, `submit --wait` and `watch`.</summary>
internal static class PublishSummary
{
    public static void Write(SiteResult site, string where)
    {
        AnsiConsole.MarkupLineInterpolated($"[green]Published[/] {site.Atlases} atlas version(s), {site.Pages} pages, {site.Images} images: {where}");
        if (site.ImagesKept > 0)
            AnsiConsole.MarkupLineInterpolated($"  {site.ImagesKept} image(s) unchanged in the store, taken from the previous site instead of downloaded");
    }

    /// <summary>
    /// What to do about a container readers may not read at the address just printed (they would get 403), or null when
    /// they may, or when the credentials could not tell.
    /// </summary>
    public static string? PrivateContainerHint(BlobPublishResult blob) => blob.AnonymousRead switch
    {
        not false => null,
        _ when blob.Container == BlobSiteTarget.StaticWebsiteContainer =>
            "$web is private at that address: readers open the site at the account's static website endpoint " +
            "(https://<account>.<zone>.web.core.windows.net/, shown in the portal under Static website, which must be enabled)",
        _ => $"container '{blob.Container}' is private, so readers get an error (403 or 404), not the site, at that address: allow anonymous reads of its blobs " +
             $"(az storage container set-permission --name {blob.Container} --public-access blob), or publish to azure-blob://$web " +
             "and enable the account's static website",
    };
}
