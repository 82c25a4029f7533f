using Atlas.Site;
using Atlas.Storage;
using Serilog;

namespace Atlas.Cli.Pipeline;

/// <summary>Publishes the static site of every atlas in a store, the last step of `run` and `submit --wait`.</summary>
public static class SitePublisher
{
    public static async Task PublishAsync(IArtifactStore store, string folder, ILogger logger, CancellationToken cancellationToken, SiteOptions? options = null)
    {
        var site = await PublishProgress.ShowAsync(logger, counts => new SiteGenerator().GenerateAsync(store, folder,
            (options ?? new SiteOptions()) with { Waiting = message => logger.Information("{Waiting}", message), Counts = counts },
            new Progress<string>(message => logger.Debug("{SiteProgress}", message)), cancellationToken));
        PublishSummary.Write(site, new Uri(Path.Combine(site.OutputDirectory, "index.html")).AbsoluteUri);
    }
}
