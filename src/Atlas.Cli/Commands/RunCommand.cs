using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;
using Atlas.Grains.Execution;
using Atlas.Grains.Jobs;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Serilog;
using Serilog.Extensions.Logging;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas run CONFIG`: the whole job on the embedded default — prepare data and model, run the atlas
/// job through an in-process silo, publish the static site.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var force = new Option<bool>("--force") { Description = "Recompute even if this checkpoint's atlas, or part of an interrupted run of it, is already in the store" };
        var command = new Command("run", "Compute an atlas on an in-process silo and publish its static site");
        arguments.AddTo(command);
        command.Options.Add(force);
        command.SetAction(AtlasCli.Guarded((parse, logger, cancellationToken) =>
            RunAsync(arguments.Load(parse), parse.GetValue(force), logger, cancellationToken)));
        return command;
    }

    public static async Task<int> RunAsync(AtlasConfig config, bool force, ILogger logger, CancellationToken cancellationToken)
    {
        using var loggerFactory = new SerilogLoggerFactory(logger);
        var coreLogger = loggerFactory.CreateLogger("Atlas");
        var store = ArtifactStores.Open(config.Output.Store);

        Preparation.EnsureData(config, coreLogger);
        Preparation.EnsureCheckpoint(config, coreLogger);
        var spec = JobSpecBuilder.Build(config, coreLogger);
        logger.Information("Atlas {Atlas} version {Version} into {Store}", spec.Atlas, spec.Version, store.Description);

        var keys = new AtlasKeys(spec.Atlas, spec.Version);
        if (!force && await store.ExistsAsync(keys.Manifest, cancellationToken))
        {
            logger.Information("This checkpoint's atlas is already in the store; publishing it (use --force to recompute)");
        }
        else
        {
            var fingerprint = RunFingerprint.Of(config, spec);
            if (!force && await fingerprint.IsStoredAsync(store, keys, cancellationToken))
            {
                logger.Information("Resuming the interrupted run of this config: units already in the store are reused (use --force to recompute them)");
                spec = spec with { ReuseFinishedUnits = true };
            }
            else
            {
                if (await store.ExistsAsync(keys.Manifest, cancellationToken))
                    logger.Information("Recomputing this checkpoint's atlas: the stored one is withdrawn until the run finishes");
                await WithdrawEarlierResultsAsync(store, spec, keys, cancellationToken);
                await fingerprint.StoreAsync(store, keys, cancellationToken);
            }
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

        await SitePublisher.PublishAsync(store, config.Output.Site, logger, cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Before a run that recomputes: the atlas manifest goes, since the run overwrites the pictures it names
    /// (an interrupted --force run must leave nothing that looks complete), and so do the unit manifests of
    /// an earlier run, so that a later resume reuses only what this run (with its fingerprint) wrote.
    /// </summary>
    private static async Task WithdrawEarlierResultsAsync(IArtifactStore store, AtlasJobSpec spec, AtlasKeys keys, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(keys.Manifest, cancellationToken);
        foreach (var unit in JobPlanner.Plan(spec))
        {
            if (UnitOutputs.ManifestKey(keys, unit) is { } key) await store.DeleteAsync(key, cancellationToken);
        }
    }
}
