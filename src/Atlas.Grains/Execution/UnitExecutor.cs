using System.Collections.Concurrent;
using System.Diagnostics;
using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Storage;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Execution;

/// <summary>
/// The per-silo owner of the torch device: one unit's tensor work at a time (the device is the
/// bottleneck, and TorchSharp models are not shared across threads), the loaded model cached between
/// units. Units hold the device only inside <see cref="UnitContext.Compute{T}"/>.
/// </summary>
public sealed class UnitExecutor(ILogger<UnitExecutor> logger) : IUnitExecutor, IDisposable
{
    private readonly SemaphoreSlim device = new(1, 1);
    private readonly ModelCache models = new(logger);
    private readonly ConcurrentDictionary<string, IArtifactStore> stores = new();

    public async Task<UnitResult> ExecuteAsync(UnitLease lease, CancellationToken cancellationToken)
    {
            var clock = Stopwatch.StartNew();
            var config = AtlasConfigLoader.Deserialize(lease.Spec.ConfigJson);
            var store = stores.GetOrAdd(lease.Spec.StoreLocation, location => ArtifactStores.OpenResilient(location, logger));
            var context = new UnitContext(lease, config, store, models, cancellationToken, device, logger);
            // Resuming an interrupted run of the same config: a manifest is written after everything it
            // names, so one in the store means the unit finished.
            if (lease.Spec.ReuseFinishedUnits && UnitOutputs.ManifestKey(context.Keys, lease.Unit) is { } finished
                && await store.ExistsAsync(finished, cancellationToken))
            {
                logger.LogDebug("Unit {Unit} of {JobId} finished in the interrupted run: reused {Key}", lease.Unit.Id, lease.JobId, finished);
                return new UnitResult(finished, 0, 0);
            }
            var result = lease.Unit.Kind switch
            {
                WorkKind.FeatureVis => await FeatureVisUnit.RunAsync(context),
                WorkKind.ExampleShard => await ExampleShardUnit.RunAsync(context),
                WorkKind.ReduceExamples => await ReduceExamplesUnit.RunAsync(context),
                WorkKind.Finalize => await FinalizeUnit.RunAsync(context),
                WorkKind.Analysis => await AnalysisUnit.RunAsync(context),
                _ => throw new NotSupportedException($"unknown work kind {lease.Unit.Kind}"),
            };
            logger.LogDebug("Unit {Unit} of {JobId} done in {Seconds:F2}s", lease.Unit.Id, lease.JobId, clock.Elapsed.TotalSeconds);
            return result with { ComputeSeconds = clock.Elapsed.TotalSeconds };
    }

    public void Dispose()
    {
        models.Dispose();
        device.Dispose();
    }
}
