using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;
using Atlas.Site;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Serilog;
using Serilog.Extensions.Logging;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas run CONFIG`: the whole job on the embedded default — prepare data and model, run the atlas
/// job through an in-process silo, publish the static site.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("config") { Description = "Atlas config file (see atlas-configs/)" };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Publish the site here instead of the config's output.site" };
        var store = new Option<string?>("--store") { Description = "Artifact store (folder or azure-blob://container) instead of the config's output.store" };
        var force = new Option<bool>("--force") { Description = "Recompute even if this checkpoint's atlas is already in the store" };
        var command = new Command("run", "Compute an atlas on an in-process silo and publish its static site") { config, output, store, force };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            var loaded = AtlasConfigLoader.Load(parse.GetValue(config)!.FullName);
            loaded = loaded with
            {
                Output = loaded.Output with
                {
                    Site = parse.GetValue(output)?.FullName ?? loaded.Output.Site,
                    Store = parse.GetValue(store) ?? loaded.Output.Store,
                },
            };
            return await RunAsync(loaded, parse.GetValue(force), logger, cancellationToken);
        }));
        return command;
    }

    public static async Task<int> RunAsync(AtlasConfig config, bool force, ILogger logger, CancellationToken cancellationToken)
    {
        using var loggerFactory = new SerilogLoggerFactory(logger);
        var coreLogger = loggerFactory.CreateLogger("Atlas");
        var store = ArtifactStores.Open(config.Output.Store);

        Preparation.EnsureData(config, coreLogger);
        Preparation.EnsureCheckpoint(config, coreLogger);
        var spec = JobSpecBuilder.Build(config);
        logger.Information("Atlas {Atlas} version {Version} into {Store}", spec.Atlas, spec.Version, store.Description);

        var keys = new AtlasKeys(spec.Atlas, spec.Version);
        if (!force && await store.ExistsAsync(keys.Manifest, cancellationToken))
        {
            logger.Information("This checkpoint's atlas is already in the store; publishing it (use --force to recompute)");
        }
        else
        {
            JobStatus status;
            await using (var silo = await EmbeddedSilo.StartAsync(logger, cancellationToken))
                status = await JobWatcher.SubmitAndWatchAsync(silo.Grains, spec, logger, cancellationToken);
            if (status.State != JobState.Completed)
            {
                await System.Console.Error.WriteLineAsync($"error: job {spec.JobId} {status.State.ToString().ToLowerInvariant()}: {status.Error}; nothing was published");
                return ExitCodes.JobFailed;
            }
            if (status.Failed > 0)
                logger.Warning("{Failed} work units failed for good and are missing from the atlas: {Error}", status.Failed, status.Error);
        }

        var site = await new SiteGenerator().GenerateAsync(store, config.Output.Site, new SiteOptions { Title = "Circuit Atlas" },
            new Progress<string>(message => logger.Debug("{SiteProgress}", message)), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"[green]Published[/] {site.Atlases} atlas version(s), {site.Pages} pages, {site.Images} images: file://{Path.Combine(site.OutputDirectory, "index.html")}");
        return ExitCodes.Success;
    }
}
