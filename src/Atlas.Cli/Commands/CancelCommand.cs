using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;

namespace Atlas.Cli.Commands;

/// <summary>`atlas cancel JOB`: workers stop taking the job's units; its state becomes cancelled; nothing is published.</summary>
public static class CancelCommand
{
    public static Command Create()
    {
        var jobId = new Argument<string>("job") { Description = "Job id (as printed by submit, e.g. demo-fashion-mnist/01a374844ae0)" };
        var command = new Command("cancel", "Cancel a job on a running cluster") { jobId };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            await using var cluster = await ClusterConnection.ConnectAsync(ClusterSettings.FromEnvironment(), logger, cancellationToken);
            var id = parse.GetValue(jobId)!;
            if (!(await cluster.Client.GetGrain<IJobRegistryGrain>(0).KnownJobs()).Contains(id))
                throw new Core.AtlasInputException($"job '{id}': no such job on cluster");
            var job = cluster.Client.GetGrain<IAtlasJobGrain>(id);
            // A finished job is left as it is: saying only its state read as if this cancel had done something.
            if (await job.GetStatus() is { IsFinished: true } finished)
            {
                System.Console.WriteLine($"{id}: already {finished.State.ToString().ToLowerInvariant()}; nothing to cancel");
                return ExitCodes.Success;
            }
            await job.Cancel();
            var status = await job.GetStatus();
            System.Console.WriteLine($"{id}: {status.State.ToString().ToLowerInvariant()}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
