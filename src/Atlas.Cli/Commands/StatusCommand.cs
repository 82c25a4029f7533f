using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>`atlas status [JOB] [--watch]`: the worker silos and every job of the cluster, or one job's phases, units and workers.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var jobId = new Argument<string?>("job") { Description = "Job id; omit to list every job", Arity = ArgumentArity.ZeroOrOne };
        var watch = new Option<bool>("--watch") { Description = "Show live progress bars until the job finishes" };
        var command = new Command("status", "Show the progress of jobs on a running cluster") { jobId, watch };
        // The list of every job is printed once: --watch without a job would end at once, not follow anything.
        command.Validators.Add(result =>
        {
            if (result.GetResult(watch) is { Implicit: false } && result.GetValue(jobId) is null) result.AddError("--watch: follows one job; give its JOB id (atlas status JOB --watch)");
        });
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            await using var cluster = await ClusterConnection.ConnectAsync(ClusterSettings.FromEnvironment(), logger, cancellationToken);
            var registry = cluster.Client.GetGrain<IJobRegistryGrain>(0);
            var known = await registry.KnownJobs();
            var id = parse.GetValue(jobId);
            if (id is null)
            {
                PrintSilos(await cluster.Client.GetGrain<IClusterViewGrain>(0).Silos());
                var table = new Table().AddColumn(new TableColumn("job").NoWrap()).AddColumns("state", "done", "leased", "failed", "reassigned", "workers");
                foreach (var job in known)
                {
                    var s = await cluster.Client.GetGrain<IAtlasJobGrain>(job).GetStatus();
                    table.AddRow(Markup.Escape(job), s.State.ToString(), $"{s.Done}/{s.Total}", $"{s.Leased}", $"{s.Failed}", $"{s.Reassignments}", $"{s.Workers.Count}");
                }
                AnsiConsole.Write(table);
                return ExitCodes.Success;
            }
            if (!known.Contains(id))
                throw new Core.AtlasInputException($"job '{id}': no such job on cluster ({(known.Count == 0 ? "the cluster has no jobs" : $"known: {string.Join(", ", known)}")})");
            var grain = cluster.Client.GetGrain<IAtlasJobGrain>(id);
            var status = await grain.GetStatus();
            if (parse.GetValue(watch)) status = await JobWatcher.WatchAsync(grain, status, logger, cancelJobOnInterrupt: false, cancellationToken);
            Print(status, await cluster.Client.GetGrain<IClusterViewGrain>(0).Silos());
            return status.State is JobState.Failed or JobState.Cancelled ? ExitCodes.JobFailed : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The worker silos (machine/process, as worker names start), their devices and worker loops.</summary>
    private static void PrintSilos(IReadOnlyList<SiloReport> silos)
    {
        if (silos.Count == 0)
        {
            AnsiConsole.MarkupLine("no worker silo has reported yet");
            return;
        }
        // Titles as lines of their own: a table's title wraps at the table's width, even in redirected output.
        AnsiConsole.MarkupLineInterpolated($"{silos.Count} worker silo(s)");
        var table = new Table().AddColumn(new TableColumn("silo").NoWrap()).AddColumns("device", "workers", "up since");
        foreach (var silo in silos)
            table.AddRow(Markup.Escape($"{silo.Host}/{silo.ProcessId}"), silo.Device, $"{silo.Workers}", $"{silo.StartedAt:u}");
        AnsiConsole.Write(table);
    }

    private static void Print(JobStatus status, IReadOnlyList<SiloReport> silos)
    {
        AnsiConsole.MarkupLineInterpolated($"{status.JobId}: {status.State}");
        var table = new Table().AddColumns("phase", "done", "leased", "failed", "total");
        foreach (var phase in status.Phases)
            table.AddRow(Markup.Escape(phase.Name), $"{phase.Done}", $"{phase.Leased}", $"{phase.Failed}", $"{phase.Total}");
        AnsiConsole.Write(table);
        var elapsed = DateTimeOffset.UtcNow - status.SubmittedAt;
        var eta = status.Done > 0 && !status.IsFinished ? elapsed / status.Done * (status.Total - status.Done) : (TimeSpan?)null;
        AnsiConsole.MarkupLineInterpolated($"units {status.Done}/{status.Total}, reassigned {status.Reassignments}, executions {status.Executions}, workers {status.Workers.Count}{(eta is { } e ? $", ETA {e:hh\\:mm\\:ss}" : "")}");
        foreach (var worker in WorkerLines(status.Workers, silos)) AnsiConsole.MarkupLineInterpolated($"  {worker}");
        if (status.Error is not null) AnsiConsole.MarkupLineInterpolated($"[red]{status.Error}[/]");
    }

    /// <summary>
    /// A line per worker holding a lease, saying which of them belong to a silo that has left the cluster: a worker that
    /// died keeps its lease until it runs out, and listed like the others it looked as if it were still working.
    /// </summary>
    public static IEnumerable<string> WorkerLines(IEnumerable<string> workers, IReadOnlyList<SiloReport> silos)
    {
        var live = silos.Select(s => $"{s.Host}/{s.ProcessId}/").ToList();
        return workers.Select(w => live.Any(prefix => w.StartsWith(prefix, StringComparison.Ordinal))
            ? $"worker {w}"
            : $"worker {w} (its silo has left the cluster: its unit goes back to the queue when the lease runs out)");
    }
}
