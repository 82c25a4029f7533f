using Atlas.Abstractions;
using Serilog;
using Spectre.Console;

namespace Atlas.Cli.Pipeline;

/// <summary>Submits a job and shows its progress, one bar per phase, until it finishes.</summary>
public static class JobWatcher
{
    public static async Task<JobStatus> SubmitAndWatchAsync(IGrainFactory grains, AtlasJobSpec spec, ILogger logger, CancellationToken cancellationToken)
    {
        var job = grains.GetGrain<IAtlasJobGrain>(spec.JobId);
        var status = await job.Submit(spec);
        logger.Information("Job {JobId}: {Units} work units over {Layers} layers and {Images} dataset images", spec.JobId, status.Total, spec.Layers.Count, spec.DatasetCount);
        await AnsiConsole.Progress().AutoClear(false).Columns(Preparation.ProgressColumns()).StartAsync(async context =>
        {
            var bars = status.Phases.ToDictionary(p => p.Name, p => context.AddTask(p.Name, maxValue: p.Total));
            var reported = new HashSet<string>();
            try
            {
                while (true)
                {
                    foreach (var phase in status.Phases)
                    {
                        bars[phase.Name].Value = phase.Done + phase.Failed;
                        if (phase.Done + phase.Failed == phase.Total && reported.Add(phase.Name))
                            logger.Information("Phase {Phase} done: {Done} units, {Failed} failed", phase.Name, phase.Done, phase.Failed);
                    }
                    if (status.IsFinished) break;
                    await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                    status = await job.GetStatus();
                }
            }
            catch (OperationCanceledException)
            {
                await job.Cancel();
                throw;
            }
        });
        return status;
    }
}
