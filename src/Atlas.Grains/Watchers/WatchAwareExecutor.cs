using System.Collections.Concurrent;
using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Grains.Execution;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Wraps a silo's unit executor with what versions need on every worker: the job's checkpoint is
/// fetched from the store when this machine lacks it, and units of layers that the version's reuse
/// plan takes from an earlier version (identical weights up to that layer, same config) are copied
/// from it instead of computed: feature visualizations and per-layer analysis of those layers, and
/// the dataset shards when every layer is reused. Everything else goes to the inner executor.
/// </summary>
public sealed class WatchAwareExecutor(IUnitExecutor inner, ILogger<WatchAwareExecutor> logger) : IUnitExecutor
{
    private readonly ConcurrentDictionary<string, IArtifactStore> stores = new();
    private readonly ConcurrentDictionary<string, Task<ReusePlanWork?>> plans = new();

    /// <summary>Units answered by copying, for logs and tests.</summary>
    public int Reused => reused;
    private int reused;

    public async Task<UnitResult> ExecuteAsync(UnitLease lease, CancellationToken cancellationToken)
    {
        var spec = lease.Spec;
        var store = stores.GetOrAdd(spec.StoreLocation, location => ArtifactStores.OpenResilient(location, logger));
        var keys = new WatchKeys(spec.Atlas, spec.Version);
        var config = AtlasConfigLoader.Deserialize(spec.ConfigJson);
        if (!File.Exists(config.Model.Checkpoint) && await CheckpointCache.EnsureLocalAsync(store, keys, config.Model.Checkpoint, cancellationToken))
            logger.LogInformation("Fetched checkpoint of {JobId} from the store into {Path}", spec.JobId, config.Model.Checkpoint);

        if (lease.Unit.Kind is WorkKind.FeatureVis or WorkKind.Analysis or WorkKind.ExampleShard
            && await PlanAsync(store, spec, keys) is { } plan
            && await TryReuseAsync(store, spec, lease.Unit, plan, cancellationToken) is { } result)
        {
            Interlocked.Increment(ref reused);
            return result;
        }
        return await inner.ExecuteAsync(lease, cancellationToken);
    }

    /// <summary>
    /// The job's reuse plan, read once per job and config; a failed read is not cached (the next unit asks again). The
    /// config is part of the key because a job id names only the atlas and the checkpoint: a completed job submitted
    /// again with another config gets a plan of its own, and the first one's would copy units made under the old config.
    /// </summary>
    private async Task<ReusePlanWork?> PlanAsync(IArtifactStore store, AtlasJobSpec spec, WatchKeys keys)
    {
        var job = $"{spec.JobId}\n{spec.ConfigJson}";
        var read = plans.GetOrAdd(job, _ => store.GetJsonAsync<ReusePlanWork>(keys.ReusePlan));
        try
        {
            return await read;
        }
        catch
        {
            plans.TryRemove(job, out _);
            throw;
        }
    }

    private async Task<UnitResult?> TryReuseAsync(IArtifactStore store, AtlasJobSpec spec, WorkUnit unit, ReusePlanWork plan, CancellationToken cancellationToken)
    {
        var from = new AtlasKeys(spec.Atlas, plan.FromVersion);
        var to = new AtlasKeys(spec.Atlas, spec.Version);
        var (fromKey, toKey) = unit.Kind switch
        {
            WorkKind.FeatureVis when plan.Layers.Contains(unit.Layer!) => (from.FeatureVisWork(unit.Layer!, unit.Start, unit.End), to.FeatureVisWork(unit.Layer!, unit.Start, unit.End)),
            WorkKind.Analysis when plan.Layers.Contains(unit.Layer!) => (from.AnalysisWork(unit.Layer!), to.AnalysisWork(unit.Layer!)),
            WorkKind.ExampleShard when spec.Layers.All(l => plan.Layers.Contains(l.Name)) => (from.ExampleShardWork(unit.Start, unit.End), to.ExampleShardWork(unit.Start, unit.End)),
            _ => (null, null),
        };
        if (fromKey is null || toKey is null) return null;
        try
        {
            if (await ArtifactCopier.CopyManifestAsync(store, fromKey, toKey, from.Root, to.Root, cancellationToken) is not { } copied) return null;
            logger.LogInformation("Unit {Unit} of {JobId} reused from version {From} (identical weights up to its layer)", unit.Id, spec.JobId, plan.FromVersion);
            return new UnitResult(toKey, copied, 0);
        }
        catch (InvalidDataException e)
        {
            logger.LogWarning("Unit {Unit} of {JobId} could not be reused ({Reason}); computing it", unit.Id, spec.JobId, e.Message);
            return null;
        }
    }
}
