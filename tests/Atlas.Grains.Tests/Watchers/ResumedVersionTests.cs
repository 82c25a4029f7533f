using System.Collections.Concurrent;
using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Grains.Execution;
using Atlas.Grains.Jobs;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// A version whose job was lost halfway (an embedded silo keeps job state in memory, so a restarted `atlas
/// watch` prepares it again) resumes: the units that reached the store are not computed again, and the
/// version still comes out whole. Prepared under another config, it recomputes and withdraws the old units.
/// </summary>
[Collection(WatcherCollection.Name)]
public sealed class ResumedVersionTests
{
    /// <summary>The real executor, remembering what each unit's lease returned.</summary>
    private sealed class RecordingExecutor(IUnitExecutor inner) : IUnitExecutor
    {
        public ConcurrentDictionary<string, UnitResult> Results { get; } = new();

        public async Task<UnitResult> ExecuteAsync(UnitLease lease, CancellationToken cancellationToken)
        {
            var result = await inner.ExecuteAsync(lease, cancellationToken);
            Results[lease.Unit.Id] = result;
            return result;
        }
    }

    [Fact]
    public async Task A_version_prepared_again_reuses_the_units_its_lost_job_finished_and_another_config_recomputes()
    {
        var source = WatchTestData.NewFolder("resume-source");
        var storeFolder = WatchTestData.NewFolder("resume-store");
        var checkpoint = WatchTestData.DemoCheckpoint(31);
        await File.WriteAllBytesAsync(Path.Combine(source, "model.pt"), checkpoint);
        var config = AtlasConfigLoader.Deserialize(WatchTestData.Config("resume", source, storeFolder, WatchTestData.IdxDataset()));
        var store = new LocalFolderArtifactStore(storeFolder);
        var preparer = new CheckpointPreparer(NullLogger<CheckpointPreparer>.Instance);
        using var real = new UnitExecutor(NullLogger<UnitExecutor>.Instance);
        var executor = new RecordingExecutor(new WatchAwareExecutor(real, NullLogger<WatchAwareExecutor>.Instance));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(checkpoint));
        var checkpoints = new FolderCheckpointSource(source);

        var first = await preparer.PrepareAsync(config, checkpoints, store, "model.pt", sha, CancellationToken.None);
        Assert.False(first.Spec.ReuseFinishedUnits);
        var plan = JobPlanner.Plan(first.Spec).ToList();
        // The job dies after the first half of its units (plan order puts every unit after what it needs).
        var finished = plan.Take(plan.Count / 2).ToList();
        await WatchTestData.RunUnitsAsync(executor, first.Spec, finished);
        var keys = new AtlasKeys("resume", first.Spec.Version);
        Assert.All(finished, u => Assert.True(UnitOutputs.ManifestKey(keys, u) is null || File.Exists(Path.Combine(storeFolder, UnitOutputs.ManifestKey(keys, u)!))));

        var again = await preparer.PrepareAsync(config, checkpoints, store, "model.pt", sha, CancellationToken.None);
        Assert.True(again.Spec.ReuseFinishedUnits);
        executor.Results.Clear();
        await WatchTestData.RunUnitsAsync(executor, again.Spec, plan);
        var reused = executor.Results.Where(r => r.Value is { Artifacts: 0, ComputeSeconds: 0 }).Select(r => r.Key).ToHashSet();
        var expected = finished.Where(u => UnitOutputs.ManifestKey(keys, u) is not null).Select(u => u.Id).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, reused);
        var manifest = (await store.GetJsonAsync<AtlasManifest>(keys.Manifest))!;
        Assert.All(manifest.Layers.SelectMany(l => l.Units), u => Assert.True(File.Exists(Path.Combine(storeFolder, u.VisKey)), u.VisKey));

        // Another config for the same checkpoint: nothing is reused, and the units the old config wrote are withdrawn first.
        var changed = config with { FeatureVis = config.FeatureVis with { Steps = config.FeatureVis.Steps + 1 } };
        var recomputed = await preparer.PrepareAsync(changed, checkpoints, store, "model.pt", sha, CancellationToken.None);
        Assert.False(recomputed.Spec.ReuseFinishedUnits);
        Assert.All(plan, u => Assert.False(UnitOutputs.ManifestKey(keys, u) is { } key && File.Exists(Path.Combine(storeFolder, key)), $"{u.Id} was left from the old config"));
        Assert.False(File.Exists(Path.Combine(storeFolder, keys.Manifest)));
    }
}
