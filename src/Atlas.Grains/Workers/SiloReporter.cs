using Atlas.Abstractions;
using Atlas.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Atlas.Grains.Workers;

/// <summary>
/// Tells the cluster view (<see cref="IClusterViewGrain"/>) what this worker silo is, at start and every
/// <see cref="Every"/>, so `atlas status` can list the silos with their devices and worker loops.
/// </summary>
public sealed class SiloReporter(IGrainFactory grains, ILocalSiloDetails silo, int workers, ILogger<SiloReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        TorchRuntime.Initialize();
        var report = new SiloReport(silo.SiloAddress.ToParsableString(), Environment.MachineName, Environment.ProcessId,
            TorchRuntime.DeviceTypeName, workers, startedAt);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IClusterViewGrain>(0).Report(report);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The view lives on some silo; while it moves (a silo died) the next report gets through.
                logger.LogDebug(e, "Could not report this silo to the cluster view; trying again");
            }
            await Task.Delay(Every, stoppingToken).ContinueWith(_ => { });
        }
    }
}
