using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Grains.Execution;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Jobs;

/// <summary>
/// Decides, before a job into an atlas version is submitted, whether it resumes an interrupted one. When the
/// version holds this job's <see cref="RunFingerprint"/>, the job reuses the units whose manifests reached the
/// store. Otherwise it recomputes: first the atlas manifest goes (the job overwrites the pictures it names, so
/// an interrupted recompute must leave nothing that looks complete), then the earlier units' manifests (so a
/// later resume reuses only what this job wrote), and then its fingerprint is recorded, before any unit runs.
/// `atlas run` and the checkpoint watcher both decide here, so a killed run and a watcher whose job state was
/// lost (a restarted embedded silo keeps it in memory) both pick up where they stopped.
/// </summary>
public static class RunResumption
{
    /// <param name="recompute">Recompute whatever the store holds (`atlas run --force`).</param>
    /// <returns>The spec to submit: with <see cref="AtlasJobSpec.ReuseFinishedUnits"/> set when it resumes.</returns>
    public static async Task<AtlasJobSpec> DecideAsync(IArtifactStore store, AtlasConfig config, AtlasJobSpec spec, bool recompute, CancellationToken cancellationToken)
    {
        var keys = new AtlasKeys(spec.Atlas, spec.Version);
        // A version computed again is no longer retired: its marker would make retention delete it as a deletion cut short.
        await store.DeleteAsync(new Watchers.WatchKeys(spec.Atlas, spec.Version).Retired, cancellationToken);
        var fingerprint = RunFingerprint.Of(config, spec);
        if (!recompute && await fingerprint.IsStoredAsync(store, keys, cancellationToken)) return spec with { ReuseFinishedUnits = true };
        await store.DeleteAsync(keys.Manifest, cancellationToken);
        foreach (var unit in JobPlanner.Plan(spec))
        {
            if (UnitOutputs.ManifestKey(keys, unit) is { } key) await store.DeleteAsync(key, cancellationToken);
        }
        await fingerprint.StoreAsync(store, keys, cancellationToken);
        return spec with { ReuseFinishedUnits = false };
    }
}
