using Atlas.Site;
using Atlas.Storage;
using Serilog;
using Serilog.Extensions.Logging;

namespace Atlas.Cli.Pipeline;

/// <summary>Publishes the static site of every atlas in a store, the last step of `run` and `submit --wait`.</summary>
public static class SitePublisher
{
    public static async Task PublishAsync(IArtifactStore store, string folder, ILogger logger, CancellationToken cancellationToken, SiteOptions? options = null)
    {
        // As `atlas publish` reads: through the outage retries (see PublishCommand).
        using var loggerFactory = new SerilogLoggerFactory(logger);
        var resilient = store as ResilientArtifactStore ?? new ResilientArtifactStore(store, logger: loggerFactory.CreateLogger("Atlas"));
        var site = await PublishProgress.ShowAsync(logger, counts => new SiteGenerator().GenerateAsync(resilient, folder,
            (options ?? new SiteOptions()) with { Waiting = message => logger.Information("{Waiting}", message), Counts = counts },
            new Progress<string>(message => logger.Debug("{SiteProgress}", message)), cancellationToken));
        PublishSummary.Write(site, new Uri(Path.Combine(site.OutputDirectory, "index.html")).AbsoluteUri);
    }
}
