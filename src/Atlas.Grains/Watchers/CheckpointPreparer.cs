using Atlas.Abstractions;
using Atlas.Grains.Jobs;
using Atlas.Core;
using Atlas.Core.Comparison;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Watchers;

/// <summary>A checkpoint made ready for its job: the spec, and what it takes from an earlier version.</summary>
public sealed record PreparedCheckpoint(AtlasJobSpec Spec, string? ReusedFrom, IReadOnlyList<string> ReusedLayers);

/// <summary>
/// The worker-side half of watching: what needs the model, which grains never touch. For one new
/// checkpoint it copies the bytes into the local cache and the version's store folder, loads the model
/// (proving the file is one), measures the layer catalog and builds the job spec exactly as
/// `atlas run`/`submit` do (job id {atlas}/{sha256[..12]}), fingerprints the layer weights and, as they do,
/// records what the version takes from an earlier one (<see cref="LayerReuse"/>). A version prepared again under the same config
/// resumes its interrupted job (<see cref="RunResumption"/>). One preparation at a time per silo, on a
/// thread of its own, so a model load never runs on a grain scheduler.
/// </summary>
public sealed class CheckpointPreparer(ILogger<CheckpointPreparer> logger)
{
    private readonly SemaphoreSlim oneAtATime = new(1, 1);
    private int preparations;

    /// <summary>Preparations started on this silo (a rejected checkpoint must not add to it again).</summary>
    public int Preparations => preparations;

    public async Task<PreparedCheckpoint> PrepareAsync(AtlasConfig config, ICheckpointSource source, IArtifactStore store, string key, string sha256, CancellationToken cancellationToken)
    {
        await oneAtATime.WaitAsync(cancellationToken);
        Interlocked.Increment(ref preparations);
        try
        {
            var version = sha256[..12];
            var keys = new WatchKeys(config.Name, version);
            var local = CheckpointCache.LocalPath(sha256, key);
            if (!File.Exists(local))
            {
                await using var content = await source.OpenReadAsync(key, cancellationToken);
                await CheckpointCache.WriteVerifiedAsync(content, local, sha256, cancellationToken);
            }
            var side = await source.ReadSideFileAsync(key, cancellationToken);
            if (side is not null) await File.WriteAllBytesAsync(local + ".json", side, cancellationToken);

            var jobConfig = config with { Model = config.Model with { Checkpoint = local, CheckpointAsWritten = null } };
            var (spec, fingerprints) = await Task.Factory.StartNew(() => Measure(jobConfig, sha256, $"{key} in {source.Description}"),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            // Any worker may run the job: the version carries its own checkpoint.
            await store.PutAsync(keys.Checkpoint(key), await File.ReadAllBytesAsync(local, cancellationToken), "application/octet-stream", cancellationToken);
            if (side is not null) await store.PutAsync(keys.CheckpointSideFile(key), side, "application/json", cancellationToken);
            // Prepared again (its job was lost with a restarted silo's memory, or the watcher was restarted):
            // the units that reached the store under the same config are not computed again.
            spec = await RunResumption.DecideAsync(store, jobConfig, spec, recompute: false, cancellationToken);
            if (spec.ReuseFinishedUnits) logger.LogInformation("Version {Version} resumes its interrupted job: units already in the store are reused", version);
            var (from, layers) = await LayerReuse.RecordAsync(store, config, spec, fingerprints, allowed: true, logger, cancellationToken);
            return new PreparedCheckpoint(spec, from, layers);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <param name="watched">The checkpoint as the user knows it: a rejection names it, not this silo's cached copy.</param>
    private (AtlasJobSpec Spec, IReadOnlyDictionary<string, string> Fingerprints) Measure(AtlasConfig config, string sha256, string watched)
    {
        IReadOnlyList<string> classes;
        int count;
        try
        {
            using var data = DatasetOpener.Open(config.Dataset);
            DatasetReadability.EnsureSomeReadable(data);
            classes = data.ClassNames;
            count = data.Count;
            if (ImageFolderListing.LooseImagesWarning(config.Dataset) is { } loose) logger.LogWarning("{Warning}", loose);
        }
        catch (AtlasInputException e)
        {
            throw new WatchConfigException(e.Message, e);
        }

        IAtlasModel model;
        try
        {
            model = ModelLoader.Load(config.Model, classes, logger);
        }
        catch (Exception e) when (e is AtlasInputException or InvalidDataException or NotSupportedException or EndOfStreamException)
        {
            throw new CheckpointRejectedException(e.Message.Replace(config.Model.Checkpoint, watched, StringComparison.Ordinal), e);
        }
        using (model)
        {
            IReadOnlyList<LayerInfo> layers;
            try
            {
                layers = LayerCatalog.Select(LayerCatalog.Measure(model), config.Layers, "layers");
                InputSizeCheck.Ensure(model, layers, config);
            }
            catch (AtlasInputException e)
            {
                throw new WatchConfigException(e.Message, e);
            }
            var spec = JobSpecFactory.Create(config, sha256, layers, count);
            return (spec, LayerFingerprints.Compute(model, spec.Layers.Select(p => p.Name).ToList()));
        }
    }
}

/// <summary>The versions of an atlas in a store, found by their manifests.</summary>
public static class StoreVersions
{
    /// <summary>Versions whose atlas manifest exists and that retention has not begun deleting (finished versions; a running job's is not one yet).</summary>
    public static async Task<IReadOnlyList<string>> PublishedAsync(IArtifactStore store, string atlas, CancellationToken cancellationToken) =>
        (await StoreAtlases.ManifestKeysAsync(store, WatchKeys.AtlasPrefix(atlas), cancellationToken)).Select(key => key.Split('/')[1]).ToList();

    /// <summary>The published versions with their manifests' identity, newest first.</summary>
    public static async Task<IReadOnlyList<VersionRef>> RefsAsync(IArtifactStore store, string atlas, CancellationToken cancellationToken)
    {
        var refs = new List<VersionRef>();
        foreach (var version in await PublishedAsync(store, atlas, cancellationToken))
        {
            var manifest = await store.GetJsonAsync<AtlasManifest>(new AtlasKeys(atlas, version).Manifest, cancellationToken);
            if (manifest is not null) refs.Add(new VersionRef(manifest.Version, manifest.Model.CheckpointSha256, manifest.CreatedAt));
        }
        return refs.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Version, StringComparer.Ordinal).ToList();
    }
}
