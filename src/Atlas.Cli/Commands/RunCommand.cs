using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;
using Atlas.Grains.Jobs;
using Atlas.Grains.Watchers;
using Atlas.Core;
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
        // The job's story is told by JobWatcher here: the in-process job grain's own lines would repeat it, and race
        // it ("Job … Completed" before the watcher's last "Phase … done" lines), so it keeps only its warnings.
        command.SetAction(AtlasCli.Guarded((parse, logger, cancellationToken) =>
            RunAsync(arguments.Load(parse), arguments.FieldsOf(parse), parse.GetValue(force), logger, cancellationToken),
            warningsOnlyFrom: [typeof(Atlas.Grains.Jobs.AtlasJobGrain).FullName!]));
        return command;
    }

    public static async Task<int> RunAsync(AtlasConfig config, OutputFields fields, bool force, ILogger logger, CancellationToken cancellationToken)
    {
        using var loggerFactory = new SerilogLoggerFactory(logger);
        var coreLogger = loggerFactory.CreateLogger("Atlas");
        var store = ArtifactStores.Open(config.Output.Store);

        EmbeddedSilo.CheckEnvironment();
        OutputPaths.EnsureConfigOutputs(config, fields);
        Preparation.EnsureData(config, coreLogger);
        Preparation.EnsureCheckpoint(config, coreLogger);
        var (spec, fingerprints) = JobSpecBuilder.BuildWithFingerprints(config, coreLogger);
        logger.Information("Atlas {Atlas} version {Version} into {Store}", spec.Atlas, spec.Version, store.Description);

        var keys = new AtlasKeys(spec.Atlas, spec.Version);
        bool stored;
        try
        {
            stored = await StoreAtlases.IsFinishedAsync(store, keys, cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException)
        {
            // The first touch of the store: a wrong connection string or a storage service that is down is the user's to fix.
            throw new AtlasInputException($"{fields.Store}: {store.Description} could not be reached ({ErrorCause.Of(e)})", e);
        }
        // A finished atlas made with another config (data set, layers, steps…) is not what this config asks for.
        bool stale = stored && !force && await RunFingerprint.Of(config, spec).IsOfAnotherConfigAsync(store, keys, cancellationToken);
        if (stored && !force && !stale)
        {
            logger.Information("This checkpoint's atlas is already in the store; publishing it (use --force to recompute)");
            await StoredTitle.RefreshAsync(store, keys, config, logger, cancellationToken);
        }
        else
        {
            spec = await RunResumption.DecideAsync(store, config, spec, recompute: force, cancellationToken);
            if (spec.ReuseFinishedUnits)
                logger.Information("Resuming the interrupted run of this config: units already in the store are reused (use --force to recompute them)");
            else if (stale)
                logger.Information("This checkpoint's atlas in the store was made with another config; recomputing it with this one (the stored one is withdrawn until the run finishes)");
            else if (stored)
                logger.Information("Recomputing this checkpoint's atlas: the stored one is withdrawn until the run finishes");
            // Layers whose weights equal a finished version's (a fine-tuned head) are copied from it, unless --force.
            await LayerReuse.RecordAsync(store, config, spec, fingerprints, allowed: !force, coreLogger, cancellationToken);
            JobStatus status;
            await using (var silo = await EmbeddedSilo.StartAsync(logger, cancellationToken))
                status = await JobWatcher.SubmitAndWatchAsync(silo.Grains, spec, logger, cancellationToken);
            if (status.State != JobState.Completed)
            {
                await System.Console.Error.WriteLineAsync(JobWatcher.Unfinished(spec.JobId, status));
                return ExitCodes.JobFailed;
            }
            if (status.Failed > 0)
                logger.Warning("{Failed} work units failed for good and are missing from the atlas: {Error}", status.Failed, status.Error);
        }

        await FinishedAtlasReport.LogAsync(store, keys, logger, cancellationToken);
        await SitePublisher.PublishAsync(store, config.Output.Site, logger, cancellationToken);
        return ExitCodes.Success;
    }
}
