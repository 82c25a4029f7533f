using Atlas.Storage;
using Atlas.Abstractions;
using Serilog;
using Spectre.Console;

namespace Atlas.Cli.Pipeline;

/// <summary>Shows a job's progress, one bar per phase (each layer's feature visualizations, the dataset pass, the manifest), until it finishes.</summary>
public static class JobWatcher
{
    public static async Task<JobStatus> SubmitAndWatchAsync(IGrainFactory grains, AtlasJobSpec spec, ILogger logger, CancellationToken cancellationToken)
    {
        var job = grains.GetGrain<IAtlasJobGrain>(spec.JobId);
        var status = await job.Submit(spec);
        logger.Information("Job {JobId}: {Units} work units over {Layers} layers and {Images} dataset images", spec.JobId, status.Total, spec.Layers.Count, spec.DatasetCount);
        return await WatchAsync(job, status, logger, cancelJobOnInterrupt: true, cancellationToken);
    }

    /// <param name="cancelJobOnInterrupt">Whether Ctrl+C cancels the job itself (the embedded run) or only stops watching (a cluster client).</param>
    public static async Task<JobStatus> WatchAsync(IAtlasJobGrain job, JobStatus status, ILogger logger, bool cancelJobOnInterrupt, CancellationToken cancellationToken)
    {
        // Bars only where they redraw in place. Redirected output (CI logs, pipes) gets the phase log lines alone: Spectre's
        // fallback there prints a line per bar at 0 % and then only at quarter marks, so a short job's output ended on "0%" lines.
        if (!Console.ProgressBars.Shown(logger))
            return await FollowAsync(job, status, logger, cancelJobOnInterrupt, show: null, cancellationToken);
        JobStatus final = status;
        await Console.ProgressBars.Create().StartAsync(async context =>
        {
            // The whole job first, for its remaining time: a layer's bar moves in steps of whole work units (the
            // demo's conv3 is two), so it can sit at 0 % for a minute and then jump.
            var all = context.AddTask(JobLine(status), maxValue: Math.Max(1, status.Total));
            var bars = status.Phases.ToDictionary(p => p.Name, p => context.AddTask(PhaseLine(p), autoStart: false, maxValue: Math.Max(1, p.Total)));
            final = await FollowAsync(job, status, logger, cancelJobOnInterrupt, current =>
            {
                all.Description = JobLine(current);
                Console.ProgressBars.Advance(all, current.Done + current.Failed);
                foreach (var phase in current.Phases)
                {
                    var bar = bars[phase.Name];
                    bar.Description = PhaseLine(phase);
                    Console.ProgressBars.Advance(bar, phase.Done + phase.Failed, begun: phase.Leased > 0);
                }
            }, cancellationToken);
        });
        return final;
    }

    private static string JobLine(JobStatus status) => $"all work units [grey]{status.Done + status.Failed}/{status.Total}[/]";

    /// <summary>The phase and its work units done of all (a unit holds many channels: the counts say why a bar jumps).</summary>
    private static string PhaseLine(PhaseProgress phase) =>
        $"{Markup.Escape(phase.Name)} [grey]{phase.Done + phase.Failed}/{phase.Total}[/]" + (phase.Failed > 0 ? $" [red]({phase.Failed} failed)[/]" : "");

    /// <summary>How long a cluster client keeps trying to reach a job it lost the connection to.</summary>
    private static readonly TimeSpan ReconnectPatience = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The job's status, through the loss of the silo this client talks to: the job lives on in storage and on the
    /// other silos, Orleans activates its grain on one of them once the membership has declared the dead one dead
    /// (seconds to a minute), and the client finds the silos that joined meanwhile. `submit --wait` died with the
    /// first failed call, though the job went on to complete.
    /// </summary>
    private static async Task<JobStatus> StatusAsync(IAtlasJobGrain job, string jobId, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReconnectPatience;
        bool lost = false;
        while (true)
        {
            try
            {
                var status = await job.GetStatus().WaitAsync(cancellationToken);
                if (lost) logger.Information("Reached job {JobId} again", jobId);
                return status;
            }
            catch (Exception e) when (IsConnectionLoss(e) && DateTime.UtcNow < deadline)
            {
                if (!lost)
                    logger.Warning("Lost the connection to the silo that answers for job {JobId} ({Cause}); trying again for up to {Minutes} minutes",
                        jobId, ErrorCause.Of(e), ReconnectPatience.TotalMinutes);
                lost = true;
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    private static bool IsConnectionLoss(Exception e) =>
        e is TimeoutException or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException
            or Orleans.Runtime.Messaging.ConnectionFailedException;

    /// <summary>Polls the job until it finishes, logging each phase as it completes and each lease that expired.</summary>
    private static async Task<JobStatus> FollowAsync(IAtlasJobGrain job, JobStatus status, ILogger logger, bool cancelJobOnInterrupt,
        Action<JobStatus>? show, CancellationToken cancellationToken)
    {
        int reassignments = status.Reassignments;
        var reported = new HashSet<string>();
        try
        {
            while (true)
            {
                show?.Invoke(status);
                foreach (var phase in status.Phases)
                {
                    // "work units": a unit of leasing holds many channels, and "1 units" read as one channel.
                    if (phase.Done + phase.Failed == phase.Total && reported.Add(phase.Name))
                        logger.Information("Phase {Phase} done: {Done} work units, {Failed} failed", phase.Name, phase.Done, phase.Failed);
                }
                if (status.Reassignments > reassignments)
                {
                    logger.Warning("{Count} unit(s) reassigned after their worker's lease expired (a worker died or hung)", status.Reassignments - reassignments);
                    reassignments = status.Reassignments;
                }
                if (status.IsFinished)
                {
                    // After the phases' lines, so the log reads in order; a job that did not complete is the verb's error line.
                    if (status.State == JobState.Completed) logger.Information("Job {JobId} completed", status.JobId);
                    return status;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                status = await StatusAsync(job, status.JobId, logger, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancelJobOnInterrupt)
        {
            await job.Cancel();
            throw;
        }
    }

    /// <summary>
    /// The error line of a job that did not complete: its state, and its error unless that only repeats the state
    /// (a cancelled job's error is "cancelled", which read "job … cancelled: cancelled").
    /// </summary>
    public static string Unfinished(string jobId, JobStatus status)
    {
        var state = status.State.ToString().ToLowerInvariant();
        var why = string.IsNullOrWhiteSpace(status.Error) || string.Equals(status.Error.Trim(), state, StringComparison.OrdinalIgnoreCase) ? "" : $": {status.Error}";
        return $"error: job {jobId} {state}{why}; nothing was published";
    }
}
