using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas watch CONFIG`: follows the config's checkpoint source (its watch section) with a watcher
/// grain on an in-process silo, computes an atlas version for every new checkpoint and republishes the
/// site after each one, until Ctrl+C. With --once it stops when everything found is done; with
/// --cluster it hands the watcher to a running cluster's silos (which keep it alive) and returns.
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        var once = new Option<bool>("--once") { Description = "Process the checkpoints found, then exit once none is queued or running" };
        var cluster = new Option<bool>("--cluster") { Description = "Start the watcher on the running cluster (ATLAS_* environment) and return; the silos keep it going" };
        var stop = new Option<bool>("--stop") { Description = "With --cluster: stop the cluster's watcher of this atlas" };
        var show = new Option<bool>("--status") { Description = "With --cluster: show the cluster's watcher of this atlas (checkpoints, versions, errors) and return" };
        var tick = new Option<double>("--tick") { Description = "Seconds between watcher ticks on the in-process silo", DefaultValueFactory = _ => 5 };
        var command = new Command("watch", "Compute a new atlas version whenever a new checkpoint appears in the config's watch.source");
        arguments.AddTo(command);
        command.Options.Add(once);
        command.Options.Add(cluster);
        command.Options.Add(stop);
        command.Options.Add(show);
        command.Options.Add(tick);
        command.Validators.Add(result =>
        {
            bool Given(Option option) => result.GetResult(option) is { Implicit: false };
            if (Given(stop) && Given(show)) result.AddError("--status and --stop: give one of them (--status shows the cluster's watcher, --stop ends it)");
            else if ((Given(stop) || Given(show)) && !Given(cluster))
                result.AddError($"{(Given(stop) ? "--stop" : "--status")}: goes with --cluster (an in-process watcher reports as it goes and stops with Ctrl+C)");
            if (!Given(cluster)) return;
            // These shape the in-process watcher only; on a cluster they would be dropped without a word.
            if (Given(once)) result.AddError("--once and --cluster: a cluster's watcher runs on its silos until `atlas watch CONFIG --cluster --stop`; --once is for the in-process watcher");
            if (Given(tick)) result.AddError($"--tick and --cluster: a cluster's watchers wake every {ClusterSilo.WatchTickVariable} seconds, set on its silos; --tick is for the in-process watcher");
            if (Given(arguments.Out)) result.AddError("--out and --cluster: a cluster's watcher publishes no site (run `atlas publish --store LOC --out DIR` for that), so --out would have no effect");
            if (Given(arguments.Store) && (Given(stop) || Given(show)))
                result.AddError($"--store and {(Given(stop) ? "--stop" : "--status")}: the cluster's watcher keeps the store it was started with; --store goes with starting it");
        });
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            var path = parse.GetValue(arguments.Config)!.FullName;
            // --status and --stop only ask the silos: the store they were given is theirs, not this machine's to open.
            var config = arguments.Load(parse, checkStore: !parse.GetValue(stop) && !parse.GetValue(show));
            if (config.Watch is null)
                throw new AtlasInputException($"{path}: watch: the config has no watch section (source, schedule, keepVersions); see docs/config-reference.md");
            try
            {
                CheckpointSources.Open(config.Watch.Source); // the schedule was checked with the config (ConfigArguments)
            }
            catch (Exception e) when (e is AtlasInputException or ArgumentException)
            {
                throw new AtlasInputException($"{path}: {e.Message}", e);
            }
            var seconds = parse.GetValue(tick);
            if (seconds is < 1 or > 3600) throw new AtlasInputException($"--tick: {seconds} is not between 1 and 3600 seconds");
            // A trainer may make the folder later; a typo in its path would otherwise wait in silence.
            if (!parse.GetValue(stop) && !parse.GetValue(show) && CheckpointSources.FolderOf(config.Watch.Source) is { } watched && !Directory.Exists(watched))
                logger.Warning("watch.source: folder {Folder} does not exist yet; checkpoints saved there once it does are taken", watched);

            if (parse.GetValue(cluster))
            {
                return await OnClusterAsync(config, parse.GetValue(stop), parse.GetValue(show), logger, cancellationToken);
            }
            return await EmbeddedAsync(config, arguments.FieldsOf(parse), parse.GetValue(once), TimeSpan.FromSeconds(seconds), logger, cancellationToken);
        },
        // On the in-process silo the watcher grain tells each job's story ("submitted job … (N units)", "version … is
        // published"): the job grain's own "planned N units" and "Completed" lines would repeat it, so it keeps only its warnings.
        warningsOnlyFrom: [typeof(Atlas.Grains.Jobs.AtlasJobGrain).FullName!]));
        return command;
    }

    private static async Task<int> OnClusterAsync(AtlasConfig config, bool stop, bool show, ILogger logger, CancellationToken cancellationToken)
    {
        var settings = ClusterSettings.FromEnvironment();
        await using var connection = await ClusterConnection.ConnectAsync(settings, logger, cancellationToken);
        var watcher = connection.Client.GetGrain<ICheckpointWatcherGrain>(config.Name);
        if (show || stop)
        {
            var current = await watcher.GetStatus();
            // Only Start records a config (and with it the source): a watcher without one was never started.
            bool neverStarted = current.Source is null;
            if (show && neverStarted) System.Console.WriteLine($"no watcher of atlas {config.Name} on cluster {settings.ClusterId}; `atlas watch CONFIG --cluster` starts one");
            else if (show) Print(current);
            else if (neverStarted) logger.Information("No watcher of atlas {Atlas} on cluster {ClusterId}; nothing to stop", config.Name, settings.ClusterId);
            else if (!current.Active) logger.Information("The watcher of atlas {Atlas} on cluster {ClusterId} is stopped already; nothing to stop", config.Name, settings.ClusterId);
            else
            {
                await watcher.Stop();
                logger.Information("Stopped the cluster's watcher of {Atlas}", config.Name);
                // Stopping lists no more checkpoints; it does not stop a version's job already handed to the workers.
                foreach (var running in current.Checkpoints.Where(c => c.State == CheckpointState.Running && c.JobId is not null))
                    logger.Information("Version {Version}'s job {JobId} ({Key}) goes on: `atlas cancel {JobId}` stops it; the watcher started again finishes that version",
                        running.Version, running.JobId, running.Key, running.JobId);
            }
            return ExitCodes.Success;
        }
        await ClusterReadiness.EnsureFilesVisibleAsync(connection.Client, config, logger);
        var status = await watcher.Start(AtlasConfigLoader.Serialize(config));
        Report(status, logger, new Dictionary<string, CheckpointState>(), inProcess: false);
        logger.Information("The cluster now watches {Source} for {Atlas}; follow it with `atlas status`", config.Watch!.Source, config.Name);
        return ExitCodes.Success;
    }

    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    private static async Task<int> EmbeddedAsync(AtlasConfig config, OutputFields fields, bool once, TimeSpan tick, ILogger logger, CancellationToken cancellationToken)
    {
        using var loggerFactory = new SerilogLoggerFactory(logger);
        EmbeddedSilo.CheckEnvironment();
        OutputPaths.EnsureConfigOutputs(config, fields);
        // Each new checkpoint is copied there first: a file in the way failed every one after three tries, and --once exited 0.
        OutputPaths.EnsureCanBeFolder(CheckpointCache.Root, CheckpointCache.RootVariable);
        Preparation.EnsureData(config, loggerFactory.CreateLogger("Atlas"));
        var store = ArtifactStores.Open(config.Output.Store);
        await using var silo = await EmbeddedSilo.StartAsync(logger, cancellationToken, watchTick: tick);
        var watcher = silo.Grains.GetGrain<ICheckpointWatcherGrain>(config.Name);
        var seen = new Dictionary<string, CheckpointState>();
        var status = await watcher.Start(AtlasConfigLoader.Serialize(config));
        int listingsBefore = status.Listings;
        // Each version's accuracy on the data set is said once, when it is seen finished (computed, or found in the
        // store): a checkpoint fed wrongly, or a training run gone bad, shows there first.
        var accuracySaid = new HashSet<string>();
        // The watcher grain has just said what it watches ("Watching … for atlas … (schedule)"); this adds where versions go.
        logger.Information("Versions of {Atlas} go to {Store}{Stop}", config.Name, store.Description, once ? "" : "; Ctrl+C stops");
        bool interrupted = false;
        try
        {
            while (true)
            {
                if (Report(status, logger, seen, inProcess: true)) await SitePublisher.PublishAsync(store, config.Output.Site, logger, cancellationToken);
                foreach (var finished in status.Checkpoints.Where(c => c.State == CheckpointState.Completed && accuracySaid.Add(c.Version)))
                    await FinishedAtlasReport.LogAsync(store, new AtlasKeys(config.Name, finished.Version), logger, cancellationToken, ofVersion: true);
                // Done once the watcher has listed since it started and nothing waits or runs.
                if (once && status.Listings > listingsBefore && status.Idle) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                status = await watcher.GetStatus().WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.Information("Stopping the watcher");
            interrupted = true;
        }
        try
        {
            // The watcher's state lives in this process and goes with it; what must survive (the versions and
            // their manifests) is in the store already. So a grain busy in a long turn does not hold up Ctrl+C.
            await watcher.Stop().WaitAsync(StopWait);
        }
        catch (TimeoutException)
        {
            logger.Warning("The watcher did not confirm its stop within {Seconds} s; leaving anyway", StopWait.TotalSeconds);
        }
        // Interrupted, a watcher that runs until interrupted has ended as it should; one run --once has left its work
        // unfinished, which a scheduler that started it must be able to tell.
        if (interrupted && once)
        {
            await System.Console.Error.WriteLineAsync("cancelled");
            return ExitCodes.Cancelled;
        }
        return status.Checkpoints.Any(c => c.State == CheckpointState.Failed) ? ExitCodes.JobFailed : ExitCodes.Success;
    }

    private static void Print(WatcherStatus status)
    {
        // A line of its own, not the table's title, which wraps at the table's width even in redirected output.
        // A stopped watcher lists no more: "next" would have no time after it.
        if (status.Active)
            AnsiConsole.MarkupLineInterpolated($"{status.Atlas}: watching {status.Source} ({status.Schedule}); last listed {status.LastListedAt:u}, next {status.NextListingAt:u}");
        else
            AnsiConsole.MarkupLineInterpolated($"{status.Atlas}: stopped {status.Source} ({status.Schedule}); last listed {status.LastListedAt:u}");
        var table = new Table().AddColumns("checkpoint", "version", "state", "job", "found", "error");
        foreach (var c in status.Checkpoints)
            table.AddRow(Markup.Escape(c.Key), c.Version, c.State.ToString(), Markup.Escape(c.JobId ?? ""), $"{c.DiscoveredAt:u}", Markup.Escape(c.Error ?? ""));
        AnsiConsole.Write(table);
        foreach (var u in status.Unfinished)
            AnsiConsole.MarkupLineInterpolated($"[yellow]still being written:[/] {u.Key} ({u.Reason}), unchanged since {u.Since:u}");
        if (status.LastError is { } error) AnsiConsole.MarkupLineInterpolated($"[red]last error:[/] {error}");
    }

    /// <summary>Logs what changed since the last report; true when a new version was published (the site needs rebuilding).</summary>
    /// <param name="inProcess">The watcher grain runs in this process and logs each change itself, as it makes it: the
    /// changes are then only debug lines here (at the normal level every one was said twice).</param>
    private static bool Report(WatcherStatus status, ILogger logger, Dictionary<string, CheckpointState> seen, bool inProcess)
    {
        bool published = false;
        foreach (var c in status.Checkpoints)
        {
            if (seen.TryGetValue(c.Sha256, out var before) && before == c.State) continue;
            seen[c.Sha256] = c.State;
            switch (c.State)
            {
                case CheckpointState.Running:
                    Say(LogEventLevel.Information, "Checkpoint {Key} → job {JobId}", c.Key, c.JobId);
                    break;
                case CheckpointState.Completed:
                    Say(LogEventLevel.Information, "Checkpoint {Key} → version {Version} completed", c.Key, c.Version);
                    published = true;
                    break;
                case CheckpointState.Rejected:
                    Say(LogEventLevel.Warning, "Checkpoint {Key} (sha256 {Version}) skipped: {Error}", c.Key, c.Version, c.Error);
                    break;
                case CheckpointState.Failed:
                    Say(LogEventLevel.Warning, "Checkpoint {Key}: job {JobId} failed: {Error}", c.Key, c.JobId, c.Error);
                    break;
                case CheckpointState.Retired:
                    Say(LogEventLevel.Information, "Version {Version} ({Key}) deleted by retention", c.Version, c.Key);
                    published = true;
                    break;
                default:
                    logger.Debug("Checkpoint {Key}: {State}", c.Key, c.State);
                    break;
            }
        }
        return published;

        void Say(LogEventLevel level, string template, params object?[] values) => logger.Write(inProcess ? LogEventLevel.Debug : level, template, values);
    }
}
