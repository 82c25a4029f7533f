using Atlas.Storage;

namespace Atlas.Storage.Tests;

/// <summary>
/// The store contract against a real Azurite, in a container of the test class's own, through the connection string
/// <paramref name="connectionString"/> gives for it (the account key, or a shared access signature).
/// </summary>
public abstract class AzuriteStoreContract(AzuriteFixture azurite, Func<AzuriteFixture, string> connectionString)
    : ArtifactStoreContract, IClassFixture<AzuriteFixture>
{
    protected AzuriteFixture Azurite { get; } = azurite;

    protected AzureBlobArtifactStore BlobStore { get; } = AzureBlobArtifactStore.FromConnectionString(connectionString(azurite), azurite.ContainerName);

    protected override IArtifactStore Store => BlobStore;

    // Read with the account key, whatever the store connects with.
    protected override async Task<string?> ReadContentTypeAsync(string key) =>
        (await Azurite.Container.GetBlobClient(key).GetPropertiesAsync()).Value.ContentType;
}
