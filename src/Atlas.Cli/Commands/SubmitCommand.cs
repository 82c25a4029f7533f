using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core;
using Atlas.Grains.Jobs;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Serilog.Extensions.Logging;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas submit CONFIG`: prepares the job here (data, checkpoint, layer catalog) and hands it to a
/// running cluster. With --wait it follows the job and publishes the site when it completes.
/// </summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var wait = new Option<bool>("--wait") { Description = "Follow the job's progress and publish its site when it completes" };
        var command = new Command("submit", "Submit an atlas job to a running cluster");
        arguments.AddTo(command);
        command.Options.Add(wait);
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            var config = arguments.Load(parse);
            // Checked by Load, whatever the cluster holds: a mistyped store is bad input even for a job it has.
            var store = ArtifactStores.Open(config.Output.Store);
            using var loggerFactory = new SerilogLoggerFactory(logger);
            var coreLogger = loggerFactory.CreateLogger("Atlas");
            // Connected first: an unreachable cluster fails before minutes of data and checkpoint preparation.
            await using var cluster = await ClusterConnection.ConnectAsync(ClusterSettings.FromEnvironment(), logger, cancellationToken);
            var workerDevice = await ClusterReadiness.WorkerDeviceAsync(cluster.Client, config, logger);
            OutputPaths.EnsureConfigOutputs(config, arguments.FieldsOf(parse));
            Preparation.EnsureData(config, coreLogger);
            Preparation.EnsureCheckpoint(config, coreLogger);
            var (spec, fingerprints) = JobSpecBuilder.BuildWithFingerprints(config, coreLogger, workerDevice);
            await ClusterReadiness.EnsureFilesVisibleAsync(cluster.Client, config, logger);

            var job = cluster.Client.GetGrain<IAtlasJobGrain>(spec.JobId);
            var previous = (await job.GetStatus()).State;
            // A job id names the atlas and the checkpoint only: the job there may have been made with another config or store.
            var otherWork = (previous is JobState.Running or JobState.Completed) && await job.GetSpec() is { } held && !JobSpecs.SameWork(held, spec);
            if (otherWork && previous is JobState.Running)
                throw new AtlasInputException(
                    $"job {spec.JobId}: is running with another config or store; wait for it to finish or cancel it (atlas cancel {spec.JobId}), then submit again");
            // The same work completed, but the store no longer holds its atlas (emptied or deleted by hand): "nothing to
            // compute" would leave --wait publishing a site without it.
            var storeLost = previous is JobState.Completed && !otherWork
                && !await StoreAtlases.IsFinishedAsync(store, new AtlasKeys(spec.Atlas, spec.Version), cancellationToken);
            bool runs = previous is JobState.Unknown or JobState.Failed or JobState.Cancelled || otherWork || storeLost;
            if (runs)
            {
                // As `atlas run` does: a job that stopped before (here or in an interrupted `atlas run`) resumes from
                // the units its config already stored; any other start records this config for a later resume.
                spec = await RunResumption.DecideAsync(store, config, spec, recompute: false, cancellationToken);
                if (otherWork) logger.Information("Job {JobId} was completed with another config or store: submitting it again with this one", spec.JobId);
                else if (storeLost) logger.Information("Job {JobId} was completed, but {Store} no longer holds its atlas: submitting it again", spec.JobId, store.Description);
                else if (previous is not JobState.Unknown) logger.Information("Job {JobId} was {State}: submitting it again", spec.JobId, previous.ToString().ToLowerInvariant());
                if (spec.ReuseFinishedUnits) logger.Information("Units this config already stored are reused");
                // Only a job that will run now: a running one's workers have read their plan already.
                await LayerReuse.RecordAsync(store, config, spec, fingerprints, allowed: true, coreLogger, cancellationToken);
            }
            var status = storeLost ? await job.SubmitAgain(spec) : await job.Submit(spec);
            System.Console.WriteLine(spec.JobId);
            // The grain leaves a running or completed job of the same work as it is: saying "submitted" would promise work that never happens.
            if (runs) logger.Information("Submitted {JobId}: {Units} work units", spec.JobId, status.Total);
            else if (previous is JobState.Completed)
            {
                logger.Information("Job {JobId} already completed ({Done} of {Units} work units done): nothing to compute", spec.JobId, status.Done, status.Total);
                await StoredTitle.RefreshAsync(store, new AtlasKeys(spec.Atlas, spec.Version), config, logger, cancellationToken);
            }
            else logger.Information("Job {JobId} is already running ({Done} of {Units} work units done): not submitted again", spec.JobId, status.Done, status.Total);
            if (!parse.GetValue(wait)) return ExitCodes.Success;

            status = await JobWatcher.WatchAsync(job, status, logger, cancelJobOnInterrupt: false, cancellationToken);
            if (status.State != JobState.Completed)
            {
                await System.Console.Error.WriteLineAsync(JobWatcher.Unfinished(spec.JobId, status));
                return ExitCodes.JobFailed;
            }
            await FinishedAtlasReport.LogAsync(store, new AtlasKeys(spec.Atlas, spec.Version), logger, cancellationToken);
            await SitePublisher.PublishAsync(store, config.Output.Site, logger, cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }
}
