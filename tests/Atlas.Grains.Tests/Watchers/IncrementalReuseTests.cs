using System.Collections.Concurrent;
using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Grains.Execution;
using Atlas.Grains.Jobs;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// Two real versions computed unit by unit through the workers' executor: the second checkpoint differs
/// from the first only in its logits, so the conv layers' units are copied from the first version
/// (not rendered again), the logits are computed, and the comparison finds every conv unit stable.
/// </summary>
[Collection(WatcherCollection.Name)]
public sealed class IncrementalReuseTests
{
    /// <summary>Counts what reaches the real executor, by kind and layer.</summary>
    private sealed class CountingExecutor(IUnitExecutor inner) : IUnitExecutor
    {
        public ConcurrentBag<WorkUnit> Computed { get; } = [];

        public Task<UnitResult> ExecuteAsync(UnitLease lease, CancellationToken cancellationToken)
        {
            Computed.Add(lease.Unit);
            return inner.ExecuteAsync(lease, cancellationToken);
        }
    }

    /// <summary>Runs every unit of a job in plan order, as the workers would.</summary>
    private static Task RunJobAsync(IUnitExecutor executor, AtlasJobSpec spec) => WatchTestData.RunUnitsAsync(executor, spec, JobPlanner.Plan(spec));

    [Fact]
    public async Task Layers_with_identical_weights_up_to_them_are_copied_from_the_previous_version_and_compare_as_stable()
    {
        var source = WatchTestData.NewFolder("reuse-source");
        var storeFolder = WatchTestData.NewFolder("reuse-store");
        var first = WatchTestData.DemoCheckpoint(21);
        var second = WatchTestData.DemoCheckpoint(21, network =>
        {
            using var noGrad = no_grad();
            network.named_parameters().Single(p => p.name == "logits.weight").parameter.mul_(1.5f);
        });
        await File.WriteAllBytesAsync(Path.Combine(source, "first.pt"), first);
        await File.WriteAllBytesAsync(Path.Combine(source, "second.pt"), second);
        var config = AtlasConfigLoader.Deserialize(WatchTestData.Config("reuse", source, storeFolder, WatchTestData.IdxDataset()));
        var store = new LocalFolderArtifactStore(storeFolder);
        var preparer = new CheckpointPreparer(NullLogger<CheckpointPreparer>.Instance);
        using var real = new UnitExecutor(NullLogger<UnitExecutor>.Instance);
        var counting = new CountingExecutor(real);
        var executor = new WatchAwareExecutor(counting, NullLogger<WatchAwareExecutor>.Instance);
        string Sha(byte[] b) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(b));

        var a = await preparer.PrepareAsync(config, new FolderCheckpointSource(source), store, "first.pt", Sha(first), CancellationToken.None);
        Assert.Null(a.ReusedFrom);
        await RunJobAsync(executor, a.Spec);
        Assert.Equal(0, executor.Reused);
        int computedForFirst = counting.Computed.Count;

        var b = await preparer.PrepareAsync(config, new FolderCheckpointSource(source), store, "second.pt", Sha(second), CancellationToken.None);
        Assert.Equal(a.Spec.Version, b.ReusedFrom);
        Assert.Equal(["conv1", "conv2", "conv3"], b.ReusedLayers);
        counting.Computed.Clear();
        await RunJobAsync(executor, b.Spec);

        // Only the logits' feature visualizations and analysis are computed, plus the dataset pass
        // (it serves every layer), the reduce and the manifest.
        var computed = counting.Computed.ToList();
        Assert.All(computed.Where(u => u.Kind is WorkKind.FeatureVis or WorkKind.Analysis), u => Assert.Equal("logits", u.Layer));
        Assert.Contains(computed, u => u.Kind == WorkKind.FeatureVis);
        Assert.Equal(computedForFirst - executor.Reused, computed.Count);
        Assert.True(executor.Reused >= 6, $"{executor.Reused} units reused");

        var keysA = new AtlasKeys("reuse", a.Spec.Version);
        var keysB = new AtlasKeys("reuse", b.Spec.Version);
        var manifestA = (await store.GetJsonAsync<AtlasManifest>(keysA.Manifest))!;
        var manifestB = (await store.GetJsonAsync<AtlasManifest>(keysB.Manifest))!;
        foreach (var layer in manifestB.Layers.Where(l => l.Name != "logits"))
        {
            foreach (var unit in layer.Units)
            {
                // A copy, complete in the new version: its own keys, the same pictures.
                Assert.StartsWith(keysB.Root + "/", unit.VisKey);
                var same = manifestA.Layers.Single(l => l.Name == layer.Name).Units.Single(u => u.Index == unit.Index);
                Assert.Equal(await store.GetAsync(same.VisKey), await store.GetAsync(unit.VisKey));
                if (unit.Matches.Count == 0) continue; // constant on the probe set: no match claimed
                var match = Assert.Single(unit.Matches);
                Assert.Equal((a.Spec.Version, unit.Index, "stable"), (match.Version, match.Unit, match.Verdict));
                Assert.Equal(1.0, match.Correlation, 3);
            }
        }
        Assert.Contains(manifestB.Layers.SelectMany(l => l.Units), u => u.Matches.Count > 0);
        Assert.Equal(a.Spec.Version, Assert.Single(manifestB.OtherVersions).Version);
        Assert.Empty(manifestA.OtherVersions);

        // The second job submitted again with another config (as `atlas submit` does for a completed job): its plan is
        // gone, and the executor, which read the first config's plan, must not copy from it under the new one, though
        // the first version still holds the units that plan named.
        await store.DeleteAsync(new WatchKeys("reuse", b.Spec.Version).ReusePlan);
        var other = config with { FeatureVis = config.FeatureVis with { Steps = config.FeatureVis.Steps + 1 } };
        var again = b.Spec with { ConfigJson = AtlasConfigLoader.Serialize(other with { Model = other.Model with { Checkpoint = AtlasConfigLoader.Deserialize(b.Spec.ConfigJson).Model.Checkpoint } }) };
        var conv1 = JobPlanner.Plan(again).First(u => u.Kind == WorkKind.FeatureVis && u.Layer == "conv1");
        counting.Computed.Clear();
        int reusedBefore = executor.Reused;
        await WatchTestData.RunUnitsAsync(executor, again, [conv1]);
        Assert.Equal(reusedBefore, executor.Reused);
        Assert.Contains(conv1, counting.Computed);

        // Retention keeps the newest version whole; the first goes, its copy in the second stays readable.
        Assert.Equal([a.Spec.Version], await VersionRetention.ApplyAsync(store, "reuse", 1, CancellationToken.None));
        foreach (var unit in manifestB.Layers.SelectMany(l => l.Units)) Assert.True(await store.ExistsAsync(unit.VisKey), unit.VisKey);
    }
}
