using Atlas.Abstractions;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// The watcher grain on a cluster whose state and reminders live in Azurite, with a blob prefix as the
/// checkpoint source and a manual clock: arrivals while it runs and while the cluster is down,
/// duplicates and renames, a corrupt checkpoint, cron schedules at their boundaries.
/// </summary>
[Collection(WatcherCollection.Name)]
public sealed class CheckpointWatcherTests : AzuriteWatcherTest
{
    private async Task<string> Upload(string name, byte[] content)
    {
        await source.GetBlobClient("runs/a/" + name).UploadAsync(new BinaryData(content), overwrite: true);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
    }

    private string JobOf(string sha) => $"{Atlas}/{sha[..12]}";

    private static WatchedCheckpoint Of(WatcherStatus status, string sha) => status.Checkpoints.Single(c => c.Sha256 == sha);

    [Fact]
    public async Task Checkpoints_arriving_while_it_runs_become_one_job_each_oldest_first()
    {
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var first = await Upload("epoch1.pt", WatchTestData.DemoCheckpoint(1));
        var watcher = cluster.Watcher(Atlas);

        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset));
        var status = await watcher.Tick();
        Assert.Equal(CheckpointState.Running, Of(status, first).State);
        Assert.Equal(JobOf(first), Of(status, first).JobId);
        Assert.Equal(JobState.Running, (await cluster.Grains.GetGrain<IAtlasJobGrain>(JobOf(first)).GetStatus()).State);

        var second = await Upload("epoch2.pt", WatchTestData.DemoCheckpoint(2));
        var third = await Upload("epoch3.pt", WatchTestData.DemoCheckpoint(3));
        status = await watcher.Tick();
        // One job at a time: the newcomers wait for the running one.
        Assert.Equal(CheckpointState.Queued, Of(status, second).State);
        Assert.Equal(CheckpointState.Queued, Of(status, third).State);
        Assert.DoesNotContain(JobOf(second), await cluster.Grains.GetGrain<IJobRegistryGrain>(0).KnownJobs());

        await cluster.CompleteJobAsync(JobOf(first));
        status = await watcher.Tick();
        Assert.Equal(CheckpointState.Completed, Of(status, first).State);
        Assert.Equal(CheckpointState.Running, Of(status, second).State);
        Assert.Equal(CheckpointState.Queued, Of(status, third).State);

        await cluster.CompleteJobAsync(JobOf(second));
        await watcher.Tick();
        await cluster.CompleteJobAsync(JobOf(third));
        status = await watcher.Tick();
        Assert.True(status.Idle);
        Assert.All(status.Checkpoints, c => Assert.Equal(CheckpointState.Completed, c.State));
        var jobs = (await cluster.Grains.GetGrain<IJobRegistryGrain>(0).KnownJobs()).Where(j => j.StartsWith(Atlas + "/")).ToList();
        Assert.Equal([JobOf(first), JobOf(second), JobOf(third)], jobs);
        Assert.Equal(3, cluster.Preparer.Preparations);
    }

    [Fact]
    public async Task A_renamed_or_reuploaded_identical_checkpoint_is_not_new()
    {
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var bytes = WatchTestData.DemoCheckpoint(4);
        var sha = await Upload("model.pt", bytes);
        var watcher = cluster.Watcher(Atlas);
        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset));
        await watcher.Tick();

        await Upload("model-copy.pt", bytes);           // the same bytes under another name
        await Upload("model.pt", bytes);                // uploaded again (new ETag, same content)
        var status = await watcher.Tick();
        Assert.Single(status.Checkpoints);
        await source.GetBlobClient("runs/a/model.pt").DeleteAsync();
        await source.GetBlobClient("runs/a/model-copy.pt").DeleteAsync();
        await Upload("renamed.pt", bytes);              // a rename
        status = await watcher.Tick();

        var only = Assert.Single(status.Checkpoints);
        Assert.Equal(sha, only.Sha256);
        Assert.Equal("renamed.pt", only.Key);
        Assert.Equal(1, cluster.Preparer.Preparations);
        Assert.Single(await cluster.Grains.GetGrain<IJobRegistryGrain>(0).KnownJobs(), j => j.StartsWith(Atlas + "/"));
    }

    [Fact]
    public async Task A_corrupt_checkpoint_is_reported_recorded_and_skipped_without_retries()
    {
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var bad = await Upload("broken.pt", WatchTestData.Corrupt(1));
        var good = await Upload("good.pt", WatchTestData.DemoCheckpoint(5));
        var watcher = cluster.Watcher(Atlas);

        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset));
        var status = await watcher.Tick();
        var rejected = Of(status, bad);
        Assert.Equal(CheckpointState.Rejected, rejected.State);
        Assert.False(string.IsNullOrWhiteSpace(rejected.Error));
        Assert.DoesNotContain('\n', rejected.Error!);
        // It names the checkpoint as the user knows it, not the silo's cached copy of it.
        Assert.Contains("broken.pt in blob container", rejected.Error);
        Assert.DoesNotContain(CheckpointCache.LocalPath(rejected.Sha256, "broken.pt"), rejected.Error);
        Assert.Equal(CheckpointState.Running, Of(status, good).State);  // the rest goes on
        int preparations = cluster.Preparer.Preparations;

        await Upload("broken-again.pt", WatchTestData.Corrupt(1));     // the same corrupt bytes, uploaded again
        for (int i = 0; i < 3; i++)
        {
            cluster.Clock.Advance(TimeSpan.FromHours(1));
            status = await watcher.Tick();
        }
        Assert.Equal(CheckpointState.Rejected, Of(status, bad).State);
        Assert.Equal(preparations, cluster.Preparer.Preparations);
        Assert.DoesNotContain(JobOf(bad), await cluster.Grains.GetGrain<IJobRegistryGrain>(0).KnownJobs());
    }

    [Fact]
    public async Task A_version_retention_deleted_is_not_computed_again_by_a_watcher_that_lists_it_anew()
    {
        // Two finished versions in the store; retention (keepVersions 1) deleted the older one.
        var older = await Upload("epoch1.pt", WatchTestData.DemoCheckpoint(7));
        var newer = await Upload("epoch2.pt", WatchTestData.DemoCheckpoint(8));
        var store = ArtifactStores.Open(Store);
        var t = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await store.PutJsonAsync(new AtlasKeys(Atlas, older[..12]).Manifest, VersionStoreTests.Manifest(Atlas, older[..12], t));
        await store.PutJsonAsync(new AtlasKeys(Atlas, newer[..12]).Manifest, VersionStoreTests.Manifest(Atlas, newer[..12], t.AddHours(1)));
        Assert.Equal([older[..12]], await VersionRetention.ApplyAsync(store, Atlas, keep: 1, CancellationToken.None));

        // A watcher with no memory of either (an `atlas watch --once` run keeps none) lists both.
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var watcher = cluster.Watcher(Atlas);
        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset, keep: 1));
        var status = await watcher.Tick();

        Assert.Equal(CheckpointState.Retired, Of(status, older).State);      // not computed again, so it cannot push out the newer one
        Assert.Equal(CheckpointState.Completed, Of(status, newer).State);
        Assert.Equal(0, cluster.Preparer.Preparations);
        Assert.True(await store.ExistsAsync(new AtlasKeys(Atlas, newer[..12]).Manifest));
    }

    [Fact]
    public async Task A_checkpoint_whose_job_failed_is_not_retried_until_the_watcher_is_started_again()
    {
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var sha = await Upload("epoch1.pt", WatchTestData.DemoCheckpoint(6));
        var watcher = cluster.Watcher(Atlas);
        var config = WatchTestData.Config(Atlas, Source, Store, dataset);
        await watcher.Start(config);
        await watcher.Tick();
        await cluster.Grains.GetGrain<IAtlasJobGrain>(JobOf(sha)).Cancel();   // as a full store or `atlas cancel` stops it

        var status = await watcher.Tick();
        Assert.Equal(CheckpointState.Failed, Of(status, sha).State);
        cluster.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(CheckpointState.Failed, Of(await watcher.Tick(), sha).State);

        await watcher.Start(config);
        status = await watcher.Tick();
        Assert.Equal(CheckpointState.Running, Of(status, sha).State);
        Assert.Equal(JobState.Running, (await cluster.Grains.GetGrain<IAtlasJobGrain>(JobOf(sha)).GetStatus()).State);
        await cluster.CompleteJobAsync(JobOf(sha));
        Assert.Equal(CheckpointState.Completed, Of(await watcher.Tick(), sha).State);
    }

    [Fact]
    public async Task Checkpoints_that_arrive_while_the_cluster_is_down_are_found_by_the_reminder_after_a_restart()
    {
        var serviceId = $"svc-{id}";
        var clock = new ManualClock();
        string first;
        await using (var before = await WatcherCluster.StartAsync(serviceId, clock, tickPeriod: TimeSpan.FromSeconds(2)))
        {
            first = await Upload("epoch1.pt", WatchTestData.DemoCheckpoint(6));
            await before.Watcher(Atlas).Start(WatchTestData.Config(Atlas, Source, Store, dataset));
            var status = await before.Watcher(Atlas).Tick();
            Assert.Equal(CheckpointState.Running, Of(status, first).State);
        }

        var second = await Upload("epoch2.pt", WatchTestData.DemoCheckpoint(7));   // lands while no silo runs

        await using var after = await WatcherCluster.StartAsync(serviceId, clock, tickPeriod: TimeSpan.FromSeconds(2));
        // Nobody calls the watcher: finishing the first job (whose state survived in blob storage) is
        // all that happens; the reminder must wake the watcher, which lists and submits the second.
        await after.CompleteJobAsync(JobOf(first));
        var registry = after.Grains.GetGrain<IJobRegistryGrain>(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await registry.KnownJobs()).Contains(JobOf(second)) && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        var final = await after.Watcher(Atlas).GetStatus();
        Assert.True((await registry.KnownJobs()).Contains(JobOf(second)),
            $"the reminder did not submit the second job: listings {final.Listings}, last error {final.LastError}, " +
            string.Join("; ", final.Checkpoints.Select(c => $"{c.Key} {c.State} {c.Error}")));

        Assert.Equal(CheckpointState.Completed, Of(final, first).State);
        Assert.Equal(CheckpointState.Running, Of(final, second).State);
        Assert.Equal(2, final.Checkpoints.Count);
    }

    [Fact]
    public async Task A_cron_schedule_lists_at_its_occurrences_and_not_a_second_before()
    {
        var clock = new ManualClock();   // 2026-01-01 00:00:00 UTC
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", clock);
        var watcher = cluster.Watcher(Atlas);
        clock.Advance(TimeSpan.FromHours(10));                  // 10:00:00
        await watcher.Start(WatchTestData.Config(Atlas, Source, Store, dataset, schedule: "0 * * * *"));
        var status = await watcher.Tick();
        Assert.Equal(1, status.Listings);                       // a (re)started watcher lists at once, and only once
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero), status.NextListingAt);

        var sha = await Upload("late.pt", WatchTestData.DemoCheckpoint(8));
        clock.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(59));   // 10:59:59
        status = await watcher.Tick();
        Assert.Equal(1, status.Listings);
        Assert.Empty(status.Checkpoints);

        clock.Advance(TimeSpan.FromSeconds(1));                 // 11:00:00
        status = await watcher.Tick();
        Assert.Equal(2, status.Listings);
        Assert.Equal(CheckpointState.Running, Of(status, sha).State);

        clock.Advance(TimeSpan.FromHours(5) + TimeSpan.FromMinutes(30));   // 16:30, five occurrences missed
        status = await watcher.Tick();
        Assert.Equal(3, status.Listings);                       // caught up with one listing
        status = await watcher.Tick();
        Assert.Equal(3, status.Listings);                       // and not again before 17:00
    }
}
