using System.Collections.Concurrent;
using System.Diagnostics;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Spectre.Console;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// How fast one job grain hands out units when the units cost nothing: concurrent pseudo-workers
/// lease and complete tiny units through real grain calls, with job state in memory or in Azure Blob
/// storage (Azurite), every change written before it is acknowledged.
/// </summary>
public static class CoordinationBench
{
    public sealed record Figures(string Storage, int Units, int Workers, double Seconds, double UnitsPerSecond, double LeaseMs, double CompleteMs, double LeaseP95Ms);

    public static async Task<Figures> RunAsync(int units, int workers, ClusterSettings? azure, Serilog.ILogger logger, CancellationToken cancellationToken)
    {
        Action<ISiloBuilder>? storage = azure is null ? null : silo => ClusterStorage.AddJobStateStorage(silo, azure);
        await using var silo = await EmbeddedSilo.StartAsync(logger, cancellationToken, workers: false, jobStorage: storage);
        var jobId = $"bench/{Guid.NewGuid():N}";
        var job = silo.Grains.GetGrain<IAtlasJobGrain>(jobId);
        var spec = new AtlasJobSpec(jobId, "bench", "v0", "{}", [new LayerPlan("bench", units)], 0, 1, 1, "unused");
        var planned = await job.Submit(spec);

        var leaseTimes = new ConcurrentBag<double>();
        var completeTimes = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var call = Stopwatch.StartNew();
                var lease = await job.LeaseNext($"bench-{w}");
                leaseTimes.Add(call.Elapsed.TotalMilliseconds);
                if (lease is null)
                {
                    if ((await job.GetStatus()).IsFinished) return;
                    await Task.Delay(1, cancellationToken);
                    continue;
                }
                call.Restart();
                await job.Complete(lease.LeaseId, new UnitResult($"bench/{lease.Unit.Id}", 0, 0));
                completeTimes.Add(call.Elapsed.TotalMilliseconds);
            }
        }, cancellationToken)));
        var seconds = clock.Elapsed.TotalSeconds;
        var sortedLeases = leaseTimes.Order().ToArray();
        return new Figures(azure is null ? "memory" : "azure blob", planned.Total, workers, seconds, planned.Total / seconds,
            sortedLeases.Average(), completeTimes.Average(), sortedLeases[(int)(sortedLeases.Length * 0.95)]);
    }

    public static void Print(IEnumerable<Figures> figures)
    {
        var table = new Table().AddColumns("state in", "units", "workers", "s", "units/s", "lease ms", "lease p95", "complete ms");
        foreach (var f in figures)
            table.AddRow(f.Storage, $"{f.Units}", $"{f.Workers}", $"{f.Seconds:F2}", $"{f.UnitsPerSecond:F0}", $"{f.LeaseMs:F2}", $"{f.LeaseP95Ms:F2}", $"{f.CompleteMs:F2}");
        AnsiConsole.Write(table);
    }
}
