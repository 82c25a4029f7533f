using Atlas.Abstractions;
using Atlas.Grains.Jobs;
using Atlas.Core.Configuration;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>Retention (keep the newest N versions, delete the rest completely) and copying a unit manifest between versions.</summary>
public class VersionStoreTests
{
    internal static AtlasManifest Manifest(string atlas, string version, DateTimeOffset created) => new()
    {
        Atlas = atlas,
        Version = version,
        Title = atlas,
        CreatedAt = created,
        Model = new ModelInfo("demo-cnn", "m.pt", version + new string('0', 52), 1, 28, 28, null),
        Dataset = new DatasetInfo("d", "test", 1, []),
        Recipe = new RecipeInfo("pixel", 1, 0.05, 0, 28, "none"),
        Layers = [],
    };

    private static async Task Version(IArtifactStore store, string atlas, string version, DateTimeOffset? created)
    {
        var keys = new AtlasKeys(atlas, version);
        await store.PutAsync(keys.UnitVis("conv1", 0), new byte[] { 1 }, "image/png");
        await store.PutAsync(new WatchKeys(atlas, version).Checkpoint("m.pt"), new byte[] { 2 }, "application/octet-stream");
        if (created is { } at) await store.PutJsonAsync(keys.Manifest, Manifest(atlas, version, at));
    }

    private static async Task<List<string>> Keys(IArtifactStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in store.ListAsync(prefix)) keys.Add(key);
        return keys;
    }

    [Fact]
    public async Task Retention_keeps_the_newest_finished_versions_and_deletes_every_key_of_the_older_ones()
    {
        var folder = WatchTestData.NewFolder("retention");
        var store = new LocalFolderArtifactStore(folder);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await Version(store, "a", "aaaaaaaaaaa1", t);
        await Version(store, "a", "aaaaaaaaaaa3", t.AddDays(2));
        await Version(store, "a", "aaaaaaaaaaa2", t.AddDays(1));
        await Version(store, "a", "aaaaaaaaaaa4", null);           // still being computed: no manifest
        await Version(store, "b", "bbbbbbbbbbb1", t.AddDays(-9));  // another atlas

        var deleted = await VersionRetention.ApplyAsync(store, "a", keep: 2, CancellationToken.None);

        Assert.Equal(["aaaaaaaaaaa1"], deleted);
        // Only the marker that keeps a watcher from computing it again is left, and no empty folders.
        Assert.Equal(["a/aaaaaaaaaaa1/retired.json"], await Keys(store, "a/aaaaaaaaaaa1/"));
        Assert.Equal(["retired.json"], Directory.GetFileSystemEntries(Path.Combine(folder, "a", "aaaaaaaaaaa1")).Select(Path.GetFileName));
        Assert.Equal(3, (await Keys(store, "a/aaaaaaaaaaa3/")).Count);
        Assert.Equal(3, (await Keys(store, "a/aaaaaaaaaaa2/")).Count);
        Assert.Equal(2, (await Keys(store, "a/aaaaaaaaaaa4/")).Count);
        Assert.Equal(3, (await Keys(store, "b/")).Count);
        Assert.Empty(await VersionRetention.ApplyAsync(store, "a", keep: 2, CancellationToken.None));
    }

    /// <summary>A folder store whose deletes stop working after the first few, as a process stopped mid-deletion leaves it.</summary>
    private sealed class DeletesCutShort(IArtifactStore inner, int allowed) : ForwardingStore(inner)
    {
        private int deletes;
        public override Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
            ++deletes > allowed ? throw new OperationCanceledException("the process stopped") : base.DeleteAsync(key, cancellationToken);
    }

    [Theory]
    [InlineData(0)] // before the manifest went
    [InlineData(1)] // after the manifest, before the work records
    [InlineData(2)] // after the work record, with the pictures still there
    public async Task A_deletion_cut_short_leaves_a_version_marked_retired_whose_work_records_go_before_its_pictures(int deletesDone)
    {
        var folder = WatchTestData.NewFolder("retention-cut");
        var store = new LocalFolderArtifactStore(folder);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await Version(store, "a", "aaaaaaaaaaa1", t);
        await Version(store, "a", "aaaaaaaaaaa2", t.AddDays(1));
        var old = new AtlasKeys("a", "aaaaaaaaaaa1");
        // A unit's record: what a job that resumed this version would take as done.
        await store.PutJsonAsync(old.FeatureVisWork("conv1", 0, 1), new { done = true });

        await Assert.ThrowsAsync<OperationCanceledException>(() => VersionRetention.ApplyAsync(new DeletesCutShort(store, deletesDone), "a", keep: 1, CancellationToken.None));

        // Known retired, so a watcher does not compute it again from what is left of it.
        Assert.True(await store.ExistsAsync(new WatchKeys("a", "aaaaaaaaaaa1").Retired));
        var left = await Keys(store, "a/aaaaaaaaaaa1/");
        Assert.Equal(deletesDone == 0, left.Contains(old.Manifest));
        Assert.Equal(deletesDone < 2, left.Contains(old.FeatureVisWork("conv1", 0, 1)));
        Assert.Contains(old.UnitVis("conv1", 0), left);

        // The next pass finishes it: only the marker stays, and the kept version is untouched.
        Assert.Equal(["aaaaaaaaaaa1"], await VersionRetention.ApplyAsync(store, "a", keep: 1, CancellationToken.None));
        Assert.Equal([new WatchKeys("a", "aaaaaaaaaaa1").Retired], await Keys(store, "a/aaaaaaaaaaa1/"));
        Assert.True(await store.ExistsAsync(new AtlasKeys("a", "aaaaaaaaaaa2").Manifest));
        Assert.Empty(await VersionRetention.ApplyAsync(store, "a", keep: 1, CancellationToken.None));
    }

    [Fact]
    public async Task A_retired_version_computed_again_loses_its_marker_and_is_not_taken_for_a_deletion_cut_short()
    {
        var store = new LocalFolderArtifactStore(WatchTestData.NewFolder("retention-again"));
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await Version(store, "a", "aaaaaaaaaaa1", t);
        await Version(store, "a", "aaaaaaaaaaa2", t.AddDays(1));
        Assert.Equal(["aaaaaaaaaaa1"], await VersionRetention.ApplyAsync(store, "a", keep: 1, CancellationToken.None));

        // `atlas run` of the first checkpoint again: its job starts by deciding what to resume, then writes the version anew.
        var config = AtlasConfigLoader.Deserialize(WatchTestData.Config("a", "/unused-source", "/unused-store", "/unused-data"));
        var spec = new AtlasJobSpec("a/aaaaaaaaaaa1", "a", "aaaaaaaaaaa1", AtlasConfigLoader.Serialize(config), [new LayerPlan("conv1", 1)],
            DatasetCount: 1, UnitsPerWorkUnit: 1, ImagesPerShard: 1, StoreLocation: "/unused-store");
        await RunResumption.DecideAsync(store, config, spec, recompute: false, CancellationToken.None);
        await Version(store, "a", "aaaaaaaaaaa1", t.AddDays(2));

        Assert.False(await store.ExistsAsync(new WatchKeys("a", "aaaaaaaaaaa1").Retired));
        Assert.Empty(await VersionRetention.ApplyAsync(store, "a", keep: 2, CancellationToken.None));
        Assert.True(await store.ExistsAsync(new AtlasKeys("a", "aaaaaaaaaaa1").Manifest));
    }

    [Fact]
    public async Task A_copied_manifest_names_only_keys_of_the_new_version_and_each_of_them_exists()
    {
        var store = new LocalFolderArtifactStore(WatchTestData.NewFolder("copy"));
        var from = new AtlasKeys("a", "v1");
        var to = new AtlasKeys("a", "v2");
        await store.PutAsync(from.UnitVis("conv1", 0), new byte[] { 7, 7 }, "image/png");
        await store.PutAsync(from.LayerWeights("conv1"), new byte[] { 8 }, "image/png");
        var json = $$"""{"layer":"conv1","units":[{"index":0,"visKey":"{{from.UnitVis("conv1", 0)}}","visualizations":[{"kind":"negative","key":"{{from.LayerWeights("conv1")}}"}],"note":"a/v1 is not a key"}]}""";
        await store.PutAsync(from.FeatureVisWork("conv1", 0, 1), System.Text.Encoding.UTF8.GetBytes(json), "application/json");

        var copied = await ArtifactCopier.CopyManifestAsync(store, from.FeatureVisWork("conv1", 0, 1), to.FeatureVisWork("conv1", 0, 1), from.Root, to.Root, CancellationToken.None);

        Assert.Equal(3, copied);
        var text = System.Text.Encoding.UTF8.GetString((await store.GetAsync(to.FeatureVisWork("conv1", 0, 1)))!);
        Assert.DoesNotContain("a/v1/", text);
        Assert.Contains(to.LayerWeights("conv1"), text);
        Assert.Contains("a/v1 is not a key", text);
        Assert.Equal(new byte[] { 7, 7 }, await store.GetAsync(to.UnitVis("conv1", 0)));
        Assert.Null(await ArtifactCopier.CopyManifestAsync(store, from.FeatureVisWork("conv1", 1, 2), to.FeatureVisWork("conv1", 1, 2), from.Root, to.Root, CancellationToken.None));

        await store.DeleteAsync(from.LayerWeights("conv1"));
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            ArtifactCopier.CopyManifestAsync(store, from.FeatureVisWork("conv1", 0, 1), to.FeatureVisWork("conv1", 0, 2), from.Root, to.Root, CancellationToken.None));
        Assert.False(await store.ExistsAsync(to.FeatureVisWork("conv1", 0, 2)));
    }
}
