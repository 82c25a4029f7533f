using Atlas.Abstractions;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// A new version counts as finished (the state on which `atlas watch` republishes the site and `--once` stops) only once
/// retention has deleted the versions it pushes out. The store is a blob container in Azurite; a lease on one of the
/// old version's pictures makes its deletion fail, as a blob another client holds does, so the watcher is seen in the
/// middle of retention.
/// </summary>
[Collection(WatcherCollection.Name)]
public sealed class RetentionBeforeCompletionTests : AzuriteWatcherTest
{
    private async Task<List<string>> Keys(IArtifactStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in store.ListAsync(prefix)) keys.Add(key);
        return keys;
    }

    [Fact]
    public async Task The_new_version_is_not_finished_while_an_older_version_it_pushes_out_still_has_keys()
    {
        var store = ArtifactStores.Open(Store);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        // An older finished version, made before this watcher started.
        var old = new AtlasKeys(Atlas, "0123456789ab");
        await store.PutAsync(old.UnitVis("conv1", 0), new byte[] { 1 }, "image/png");
        await store.PutJsonAsync(old.FeatureVisWork("conv1", 0, 1), new { done = true });
        await store.PutJsonAsync(old.Manifest, VersionStoreTests.Manifest(Atlas, old.Version, t));
        var checkpoint = WatchTestData.DemoCheckpoint(9);
        await source.GetBlobClient("runs/a/epoch1.pt").UploadAsync(new BinaryData(checkpoint));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(checkpoint));

        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var watcher = cluster.Watcher(Atlas);
        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset, keep: 1));
        await watcher.Tick();
        var job = $"{Atlas}/{sha[..12]}";
        await cluster.CompleteJobAsync(job);
        // What the job's last unit writes: the new version's manifest, newer than the old one's.
        await store.PutJsonAsync(new AtlasKeys(Atlas, sha[..12]).Manifest, VersionStoreTests.Manifest(Atlas, sha[..12], t.AddDays(1)));

        // Another client holds the old picture: retention cannot delete it.
        var lease = service.GetBlobContainerClient($"store-{id}").GetBlobClient(old.UnitVis("conv1", 0)).GetBlobLeaseClient();
        await lease.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration);
        var status = await watcher.Tick();

        // Retention got as far as the picture, in its order...
        Assert.Equal([old.UnitVis("conv1", 0), new WatchKeys(Atlas, old.Version).Retired], await Keys(store, old.Root + "/"));
        // ...and the new version is not reported finished: `watch --once` goes on waiting and no site is published.
        var version = status.Checkpoints.Single(c => c.Sha256 == sha);
        Assert.Equal(CheckpointState.Running, version.State);
        Assert.False(status.Idle);
        Assert.NotNull(status.LastError);

        await lease.ReleaseAsync();
        status = await watcher.Tick();

        Assert.Equal(CheckpointState.Completed, status.Checkpoints.Single(c => c.Sha256 == sha).State);
        Assert.True(status.Idle);
        Assert.Null(status.LastError);
        Assert.Equal([new WatchKeys(Atlas, old.Version).Retired], await Keys(store, old.Root + "/"));
    }
    [Fact]
    public async Task A_version_found_already_in_the_store_retires_the_older_ones_before_it_counts_as_finished()
    {
        // An `atlas watch --once` run stopped after the new version's job wrote its manifest and before retention ran;
        // the next run, which keeps no state, finds that version already in the store.
        var store = ArtifactStores.Open(Store);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var old = new AtlasKeys(Atlas, "0123456789ab");
        await store.PutAsync(old.UnitVis("conv1", 0), new byte[] { 1 }, "image/png");
        await store.PutJsonAsync(old.Manifest, VersionStoreTests.Manifest(Atlas, old.Version, t));
        var checkpoint = WatchTestData.DemoCheckpoint(10);
        await source.GetBlobClient("runs/a/epoch1.pt").UploadAsync(new BinaryData(checkpoint));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(checkpoint));
        await store.PutJsonAsync(new AtlasKeys(Atlas, sha[..12]).Manifest, VersionStoreTests.Manifest(Atlas, sha[..12], t.AddDays(1)));

        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var watcher = cluster.Watcher(Atlas);
        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset, keep: 1));
        var status = await watcher.Tick();

        Assert.Equal(CheckpointState.Completed, status.Checkpoints.Single(c => c.Sha256 == sha).State);
        Assert.Equal(0, cluster.Preparer.Preparations);
        Assert.Equal([new WatchKeys(Atlas, old.Version).Retired], await Keys(store, old.Root + "/"));
    }

    [Fact]
    public async Task A_listed_version_whose_deletion_was_cut_short_stays_retired_and_is_not_taken_for_finished()
    {
        // Retention wrote the marker and stopped before the manifest went (the process was killed): both are there.
        var store = ArtifactStores.Open(Store);
        var checkpoint = WatchTestData.DemoCheckpoint(10);
        await source.GetBlobClient("runs/a/epoch1.pt").UploadAsync(new BinaryData(checkpoint));
        var version = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(checkpoint))[..12];
        var keys = new AtlasKeys(Atlas, version);
        await store.PutAsync(keys.UnitVis("conv1", 0), new byte[] { 1 }, "image/png");
        await store.PutJsonAsync(keys.Manifest, VersionStoreTests.Manifest(Atlas, version, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        await store.PutJsonAsync(keys.Retired, new { });

        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var watcher = cluster.Watcher(Atlas);
        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset, keep: 1));
        var status = await watcher.Tick();

        Assert.Equal(CheckpointState.Retired, status.Checkpoints.Single().State);
        Assert.Equal(0, cluster.Preparer.Preparations);
        Assert.Empty(await StoreVersions.PublishedAsync(store, Atlas, CancellationToken.None));
    }

    [Fact]
    public async Task An_old_finished_version_that_its_own_retention_pushes_out_is_retired_not_finished()
    {
        // keepVersions 1, and a newer version finished beside an older one whose run stopped before retention: the
        // next watcher lists the older checkpoint first (oldest first), finds it in the store, and retention deletes it.
        var store = ArtifactStores.Open(Store);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var checkpoint = WatchTestData.DemoCheckpoint(10);
        var blob = source.GetBlobClient("runs/a/epoch1.pt");
        await blob.UploadAsync(new BinaryData(checkpoint));
        var old = new AtlasKeys(Atlas, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(checkpoint))[..12]);
        await store.PutJsonAsync(old.Manifest, VersionStoreTests.Manifest(Atlas, old.Version, t));
        var newer = new AtlasKeys(Atlas, "0123456789ab");
        await store.PutJsonAsync(newer.Manifest, VersionStoreTests.Manifest(Atlas, newer.Version, t.AddDays(1)));

        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var watcher = cluster.Watcher(Atlas);
        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset, keep: 1));
        var status = await watcher.Tick();

        Assert.Equal(CheckpointState.Retired, status.Checkpoints.Single().State);
        Assert.Equal([newer.Version], await StoreVersions.PublishedAsync(store, Atlas, CancellationToken.None));
        Assert.Equal([old.Retired], await Keys(store, old.Root + "/"));
    }
}
