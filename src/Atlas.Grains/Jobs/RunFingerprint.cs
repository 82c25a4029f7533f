using System.Security.Cryptography;
using System.Text;
using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Jobs;

/// <summary>
/// What decides every unit's output in an `atlas run` besides the checkpoint (which names the version):
/// the config as <see cref="ConfigDigest"/> sees it, the job's plan (layers, data set
/// size, unit ranges) and the engine's build. A run that finds its own fingerprint in the store resumes
/// the interrupted one: units whose manifests are there are not computed again. Another config, another
/// build or --force recomputes everything. <see cref="Config"/> leaves the build out: a finished atlas
/// whose run had another one was made for another config, and a new build alone does not make it stale.
/// </summary>
/// <param name="Config">The config and plan alone; null in a record written before runs kept it.</param>
public sealed record RunFingerprint(string Value, string? Config = null)
{
    public static RunFingerprint Of(AtlasConfig config, AtlasJobSpec spec)
    {
        var plan = $"{string.Join(';', spec.Layers.Select(l => $"{l.Name}:{l.Units}"))}|{spec.DatasetCount}|{spec.UnitsPerWorkUnit}|{spec.ImagesPerShard}";
        // Deterministic builds give the same module id for the same source, so a rebuild of unchanged code still resumes.
        var engine = string.Join(',', new[] { typeof(RunFingerprint).Assembly, typeof(AtlasConfig).Assembly }.Select(a => a.ManifestModule.ModuleVersionId));
        var configAndPlan = $"{ConfigDigest.Of(config)}|{plan}";
        return new RunFingerprint(Hash($"{configAndPlan}|{engine}"), Hash(configAndPlan));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Whether the latest run into this version computed exactly what this one would.</summary>
    public async Task<bool> IsStoredAsync(IArtifactStore store, AtlasKeys keys, CancellationToken cancellationToken) =>
        await store.GetJsonAsync<RunFingerprint>(keys.RunFingerprint, cancellationToken) is { } stored && stored.Value == Value;

    /// <summary>
    /// Whether the latest run into this version was of another config or plan (another data set, layers, steps, unit
    /// count…), so that its atlas is not what this config asks for. False where the store does not say: no run record
    /// (a version only a watcher or a cluster job wrote), or one from before runs recorded their config.
    /// </summary>
    public async Task<bool> IsOfAnotherConfigAsync(IArtifactStore store, AtlasKeys keys, CancellationToken cancellationToken) =>
        await store.GetJsonAsync<RunFingerprint>(keys.RunFingerprint, cancellationToken) is { Config: { } stored } && stored != Config;

    /// <summary>Records this run as the latest, before any of its units runs.</summary>
    public Task StoreAsync(IArtifactStore store, AtlasKeys keys, CancellationToken cancellationToken) =>
        store.PutJsonAsync(keys.RunFingerprint, this, cancellationToken);
}
