using Atlas.Site;
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
}
