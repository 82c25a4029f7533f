using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// The order in which retention (watch.keepVersions) writes and deletes a version's keys, as a real folder store sees
/// them: the retired marker first, then the manifest (so no site lists the version any more), then the work records
/// (so no job resumes from them), and the pictures last. A deletion cut short at any point then leaves a version that
/// is neither listed nor computed again.
/// </summary>
public class RetentionOrderTests
{
    /// <summary>A real folder store that records, in order, each key written and each key deleted.</summary>
    private sealed class RecordingStore(IArtifactStore inner) : ForwardingStore(inner)
    {
        public List<(string Op, string Key)> Log { get; } = [];
        public override Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
        {
            Log.Add(("put", key));
            return base.PutAsync(key, content, contentType, cancellationToken);
        }
        public override Task DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            Log.Add(("delete", key));
            return base.DeleteAsync(key, cancellationToken);
        }
    }

    /// <summary>A finished version as a watched job leaves it: pictures, work records, the checkpoint copy and the manifest.</summary>
    private static async Task<List<string>> Version(IArtifactStore store, string atlas, string version, DateTimeOffset created)
    {
        var keys = new AtlasKeys(atlas, version);
        var watch = new WatchKeys(atlas, version);
        var pictures = new[] { keys.UnitVis("conv1", 0), keys.UnitVis("conv1", 1, "negative"), keys.LayerWeights("conv1"), keys.DatasetImage(3), watch.Checkpoint("m.pt") };
        foreach (var key in pictures) await store.PutAsync(key, new byte[] { 1 }, "application/octet-stream");
        var work = new[] { keys.FeatureVisWork("conv1", 0, 2), keys.ExampleShardWork(0, 32), keys.AnalysisWork("conv1"), watch.Fingerprints };
        foreach (var key in work) await store.PutJsonAsync(key, new { done = true });
        await store.PutJsonAsync(keys.Manifest, VersionStoreTests.Manifest(atlas, version, created));
        return [keys.Manifest, .. work, .. pictures];
    }

    /// <summary>Checks one version's operations: <paramref name="markerWritten"/> says whether this pass writes its marker.</summary>
    private static void AssertRetiredInOrder(List<(string Op, string Key)> log, string atlas, string version, IReadOnlyCollection<string> held, bool markerWritten)
    {
        var keys = new AtlasKeys(atlas, version);
        var marker = new WatchKeys(atlas, version).Retired;
        var ops = log.Where(o => o.Key.StartsWith(keys.Root + "/", StringComparison.Ordinal)).ToList();
        int first = 0;
        if (markerWritten)
        {
            Assert.Equal(("put", marker), ops[0]);
            first = 1;
        }
        Assert.DoesNotContain(("delete", marker), ops);
        Assert.All(ops.Skip(first), o => Assert.Equal("delete", o.Op));
        // The manifest goes before anything else of the version: from then on no site lists it.
        Assert.Equal(("delete", keys.Manifest), ops[first]);
        // Every other key the version held is deleted, work records before pictures.
        var deletes = ops.Skip(first + 1).Select(o => o.Key).ToList();
        Assert.Equal(held.Where(k => k != keys.Manifest).Order(StringComparer.Ordinal), deletes.Order(StringComparer.Ordinal));
        bool IsWork(string key) => key.StartsWith(keys.Root + "/work/", StringComparison.Ordinal);
        int lastWork = deletes.FindLastIndex(IsWork), firstPicture = deletes.FindIndex(k => !IsWork(k));
        Assert.True(lastWork >= 0 && firstPicture >= 0);
        Assert.True(lastWork < firstPicture, $"a picture was deleted before a work record: {string.Join(", ", deletes)}");
    }

    [Fact]
    public async Task Retention_writes_the_marker_then_deletes_the_manifest_then_the_work_records_then_the_pictures()
    {
        var folder = WatchTestData.NewFolder("retention-order");
        var store = new LocalFolderArtifactStore(folder);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var oldest = await Version(store, "a", "aaaaaaaaaaa1", t);
        var older = await Version(store, "a", "aaaaaaaaaaa2", t.AddDays(1));
        await Version(store, "a", "aaaaaaaaaaa3", t.AddDays(2));
        var recording = new RecordingStore(store);

        var deleted = await VersionRetention.ApplyAsync(recording, "a", keep: 1, CancellationToken.None);

        Assert.Equal(["aaaaaaaaaaa2", "aaaaaaaaaaa1"], deleted);
        AssertRetiredInOrder(recording.Log, "a", "aaaaaaaaaaa1", oldest, markerWritten: true);
        AssertRetiredInOrder(recording.Log, "a", "aaaaaaaaaaa2", older, markerWritten: true);
        Assert.DoesNotContain(recording.Log, o => o.Key.StartsWith("a/aaaaaaaaaaa3/", StringComparison.Ordinal));
        Assert.Equal(["a/aaaaaaaaaaa1/retired.json"], Directory.GetFiles(Path.Combine(folder, "a", "aaaaaaaaaaa1"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')));
    }

    [Fact]
    public async Task A_deletion_cut_short_before_its_first_delete_is_finished_by_the_next_pass_in_the_same_order()
    {
        var folder = WatchTestData.NewFolder("retention-order-resume");
        var store = new LocalFolderArtifactStore(folder);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var old = await Version(store, "a", "aaaaaaaaaaa1", t);
        await Version(store, "a", "aaaaaaaaaaa2", t.AddDays(1));
        // The process stopped right after it marked the version: everything else is still there, manifest included.
        await store.PutJsonAsync(new WatchKeys("a", "aaaaaaaaaaa1").Retired, new RetiredWork(t.AddDays(1), 1));
        var recording = new RecordingStore(store);

        Assert.Equal(["aaaaaaaaaaa1"], await VersionRetention.ApplyAsync(recording, "a", keep: 5, CancellationToken.None));

        // Finished although five versions may be kept: a marked version is on its way out.
        AssertRetiredInOrder(recording.Log, "a", "aaaaaaaaaaa1", old, markerWritten: false);
        Assert.True(await store.ExistsAsync(new AtlasKeys("a", "aaaaaaaaaaa2").Manifest));
    }
}
