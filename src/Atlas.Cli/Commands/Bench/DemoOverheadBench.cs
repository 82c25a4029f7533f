using System.Diagnostics;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;
using Serilog.Extensions.Logging;
using Spectre.Console;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// Coordination overhead of a real job on the embedded default: the job's wall time on one worker
/// minus the time its units spent computing, per unit — grain calls, lease renewals and storage writes.
/// </summary>
public static class DemoOverheadBench
{
    public static async Task RunAsync(AtlasConfig config, Serilog.ILogger logger, CancellationToken cancellationToken)
    {
        using var loggerFactory = new SerilogLoggerFactory(logger);
        var coreLogger = loggerFactory.CreateLogger("Atlas");
        Preparation.EnsureData(config, coreLogger);
        Preparation.EnsureCheckpoint(config, coreLogger);
        // A fresh store and job id, so nothing is reused from an earlier run.
        var store = Path.Combine(Path.GetTempPath(), $"atlas-bench-{Guid.NewGuid():N}");
        var spec = JobSpecBuilder.Build(config with { Output = config.Output with { Store = store } });
        spec = spec with { JobId = $"{spec.JobId}/bench-{Guid.NewGuid():N}" };

        await using var silo = await EmbeddedSilo.StartAsync(logger, cancellationToken);
        var job = silo.Grains.GetGrain<IAtlasJobGrain>(spec.JobId);
        var clock = Stopwatch.StartNew();
        var status = await job.Submit(spec);
        while (!status.IsFinished)
        {
            await Task.Delay(50, cancellationToken);
            status = await job.GetStatus();
        }
        var wall = clock.Elapsed.TotalSeconds;
        Directory.Delete(store, recursive: true);

        double overhead = wall - status.ComputeSeconds;
        var table = new Table().AddColumns("job", "units", "wall s", "compute s", "overhead s", "per unit ms", "of wall");
        table.AddRow(Markup.Escape(config.Name), $"{status.Total}", $"{wall:F2}", $"{status.ComputeSeconds:F2}", $"{overhead:F2}",
            $"{overhead / status.Total * 1000:F1}", $"{overhead / wall:P1}");
        AnsiConsole.Write(table);
    }
}
