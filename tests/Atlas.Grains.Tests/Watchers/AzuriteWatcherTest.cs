using Azure.Storage.Blobs;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// A watcher test on Azurite: its own atlas name, a blob prefix as the checkpoint source and a blob container as the
/// store, all named after a fresh id so tests do not meet, and deleted afterwards.
/// </summary>
public abstract class AzuriteWatcherTest : IAsyncLifetime
{
    protected readonly string id = Guid.NewGuid().ToString("N")[..12];
    protected readonly string dataset = WatchTestData.IdxDataset();
    protected BlobServiceClient service = null!;
    protected BlobContainerClient source = null!;
    protected string Atlas => $"watch-{id}";
    protected string Store => $"azure-blob://store-{id}?connection={WatchTestData.ConnectionVariable}";
    protected string Source => $"azure-blob://source-{id}/runs/a?connection={WatchTestData.ConnectionVariable}";

    public async Task InitializeAsync()
    {
        service = await WatchTestData.AzuriteAsync();
        source = service.GetBlobContainerClient($"source-{id}");
        await source.CreateIfNotExistsAsync();
        await service.GetBlobContainerClient($"store-{id}").CreateIfNotExistsAsync();
    }

    /// <summary>Leaves a developer's long-running Azurite as it was (scripts/test.sh starts a fresh one anyway).</summary>
    public async Task DisposeAsync()
    {
        foreach (var name in new[] { $"source-{id}", $"store-{id}", $"watch-state-svc-{id}" })
        {
            try
            {
                await service.GetBlobContainerClient(name).DeleteIfExistsAsync();
            }
            catch (Azure.RequestFailedException)
            {
                // Cleanup only: a container that cannot be deleted now is not a test failure.
            }
        }
    }
}
