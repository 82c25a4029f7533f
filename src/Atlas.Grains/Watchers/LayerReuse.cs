using Atlas.Abstractions;
using Atlas.Core.Comparison;
using Atlas.Core.Configuration;
using Atlas.Grains.Jobs;
using Atlas.Storage;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Which layers a new version of an atlas may take from a finished one instead of computing them: the version's layer
/// fingerprints are recorded with it, and when an earlier version made under the same config has identical weights up
/// to some of its layers, a reuse plan names them, which every worker's <see cref="WatchAwareExecutor"/> follows.
/// Shared by the checkpoint watcher and by `atlas run`/`submit`, so a version made either way serves the next.
/// </summary>
public static class LayerReuse
{
    /// <summary>
    /// Writes the version's fingerprints, then its reuse plan (or removes a stale one when nothing is shared, or when
    /// <paramref name="allowed"/> is false: a recompute asked for by the user takes nothing from other versions).
    /// </summary>
    public static async Task<(string? From, IReadOnlyList<string> Layers)> RecordAsync(IArtifactStore store, AtlasConfig config, AtlasJobSpec spec,
        IReadOnlyDictionary<string, string> fingerprints, bool allowed, ILogger logger, CancellationToken cancellationToken)
    {
        var keys = new WatchKeys(spec.Atlas, spec.Version);
        var digest = ConfigDigest.Of(config);
        await store.PutJsonAsync(keys.Fingerprints, new FingerprintsWork(digest, fingerprints), cancellationToken);
        var (from, layers) = allowed ? await FindAsync(store, config, spec, fingerprints, cancellationToken) : (null, []);
        if (from is null)
        {
            await store.DeleteAsync(keys.ReusePlan, cancellationToken);
            return (null, []);
        }
        await store.PutJsonAsync(keys.ReusePlan, new ReusePlanWork(from, layers), cancellationToken);
        logger.LogInformation("Version {Version} reuses layers {Layers} of version {From} (identical weights up to them)", spec.Version, string.Join(", ", layers), from);
        return (from, layers);
    }

    /// <summary>
    /// The finished version (manifest in the store) made under the same config with the most layers identical to this
    /// one's, and those layers; null when none shares any. Reads only.
    /// </summary>
    public static async Task<(string? From, IReadOnlyList<string> Layers)> FindAsync(IArtifactStore store, AtlasConfig config, AtlasJobSpec spec,
        IReadOnlyDictionary<string, string> fingerprints, CancellationToken cancellationToken)
    {
        var (atlas, version, digest) = (spec.Atlas, spec.Version, ConfigDigest.Of(config));
        var planned = spec.Layers.Select(l => l.Name).ToList();
        string? best = null;
        IReadOnlyList<string> bestLayers = [];
        foreach (var other in await StoreVersions.PublishedAsync(store, atlas, cancellationToken))
        {
            if (other == version) continue;
            var work = await store.GetJsonAsync<FingerprintsWork>(new WatchKeys(atlas, other).Fingerprints, cancellationToken);
            if (work is null || work.ConfigDigest != digest) continue;
            var same = LayerFingerprints.Identical(fingerprints, work.Layers).Where(planned.Contains).ToList();
            if (same.Count > bestLayers.Count)
            {
                best = other;
                bestLayers = same;
            }
        }
        return (best, bestLayers);
    }
}
