using Atlas.Abstractions;
using Azure.Storage.Blobs;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// A trainer that saves straight into the watched folder: the watcher sees the file while it grows. A
/// file cut short is left until it is whole (one checkpoint, nothing rejected); one that stays cut
/// short and unchanged past the patience is taken as it is and rejected with the loader's reason.
/// </summary>
[Collection(WatcherCollection.Name)]
public sealed class UnfinishedCheckpointTests : IAsyncLifetime
{
    private readonly string id = Guid.NewGuid().ToString("N")[..12];
    private readonly string dataset = WatchTestData.IdxDataset();
    private readonly string folder = WatchTestData.NewFolder("unfinished-source");
    private BlobServiceClient service = null!;
    private string Atlas => $"unfinished-{id}";
    private string Store => $"azure-blob://store-{id}?connection={WatchTestData.ConnectionVariable}";

    public async Task InitializeAsync()
    {
        service = await WatchTestData.AzuriteAsync();
        await service.GetBlobContainerClient($"store-{id}").CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var name in new[] { $"store-{id}", $"watch-state-svc-{id}" })
        {
            try
            {
                await service.GetBlobContainerClient(name).DeleteIfExistsAsync();
            }
            catch (Azure.RequestFailedException)
            {
                // Cleanup only.
            }
        }
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Writes the first <paramref name="fraction"/> of <paramref name="content"/>, as a save under way leaves it.</summary>
    private void WritePart(string name, byte[] content, double fraction) =>
        File.WriteAllBytes(Path.Combine(folder, name), content[..(int)(content.Length * fraction)]);

    private static string Sha(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));

    [Fact]
    public async Task A_checkpoint_still_being_saved_into_the_folder_is_taken_once_whole_and_never_rejected()
    {
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", new ManualClock());
        var watcher = cluster.Watcher(Atlas);
        var content = WatchTestData.DemoCheckpoint(11);
        WritePart("epoch1.pt", content, 0.3);

        await watcher.Start(WatchTestData.Config(Atlas, folder, Store, dataset));
        var status = await watcher.Tick();
        Assert.Empty(status.Checkpoints);
        var waiting = Assert.Single(status.Unfinished);
        Assert.Equal("epoch1.pt", waiting.Key);
        Assert.Contains("cut short", waiting.Reason);

        WritePart("epoch1.pt", content, 0.8);
        status = await watcher.Tick();
        Assert.Empty(status.Checkpoints);
        Assert.Single(status.Unfinished);

        File.WriteAllBytes(Path.Combine(folder, "epoch1.pt"), content);
        status = await watcher.Tick();
        Assert.Empty(status.Unfinished);
        var only = Assert.Single(status.Checkpoints);
        Assert.Equal(Sha(content), only.Sha256);
        Assert.Equal(CheckpointState.Running, only.State);
        Assert.Equal(1, cluster.Preparer.Preparations);
    }

    [Fact]
    public async Task Under_a_cron_schedule_an_unfinished_file_is_looked_at_again_next_tick_not_next_occurrence()
    {
        var clock = new ManualClock();
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", clock);
        var watcher = cluster.Watcher(Atlas);
        var content = WatchTestData.DemoCheckpoint(12);
        WritePart("nightly.pt", content, 0.5);

        await watcher.Start(WatchTestData.Config(Atlas, folder, Store, dataset, schedule: "0 3 * * *"));
        var status = await watcher.Tick();
        Assert.Single(status.Unfinished);
        int listings = status.Listings;

        File.WriteAllBytes(Path.Combine(folder, "nightly.pt"), content);
        clock.Advance(TimeSpan.FromSeconds(30));
        status = await watcher.Tick();
        Assert.Equal(listings + 1, status.Listings);
        Assert.Equal(CheckpointState.Running, Assert.Single(status.Checkpoints).State);

        clock.Advance(TimeSpan.FromSeconds(30));
        status = await watcher.Tick();
        Assert.Equal(listings + 1, status.Listings);   // nothing unfinished: back to the schedule
    }

    [Fact]
    public async Task A_file_left_cut_short_is_taken_as_it_is_after_the_patience_and_rejected_with_the_loaders_reason()
    {
        var clock = new ManualClock();
        await using var cluster = await WatcherCluster.StartAsync($"svc-{id}", clock);
        var watcher = cluster.Watcher(Atlas);
        var content = WatchTestData.DemoCheckpoint(13);
        WritePart("crashed.pt", content, 0.5);

        await watcher.Start(WatchTestData.Config(Atlas, folder, Store, dataset));
        var status = await watcher.Tick();
        var since = Assert.Single(status.Unfinished).Since;
        clock.Advance(TimeSpan.FromMinutes(9));
        status = await watcher.Tick();
        Assert.Equal(since, Assert.Single(status.Unfinished).Since);   // unchanged: still waiting
        Assert.Empty(status.Checkpoints);
        Assert.Equal(0, cluster.Preparer.Preparations);

        clock.Advance(TimeSpan.FromMinutes(1));
        status = await watcher.Tick();
        Assert.Empty(status.Unfinished);
        var rejected = Assert.Single(status.Checkpoints);
        Assert.Equal(CheckpointState.Rejected, rejected.State);
        Assert.Contains("truncated", rejected.Error);
    }
}
