using System.Text;
using Atlas.Storage;
using Azure.Storage.Blobs;

namespace Atlas.Storage.Tests;

/// <summary>The store contract against a real Azurite, in a container of its own, plus blob-only behaviour.</summary>
public sealed class AzureBlobArtifactStoreTests : ArtifactStoreContract, IClassFixture<AzuriteFixture>
{
    private readonly AzuriteFixture _azurite;
    private readonly AzureBlobArtifactStore _store;

    public AzureBlobArtifactStoreTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _store = AzureBlobArtifactStore.FromConnectionString(AzuriteFixture.ConnectionString, azurite.ContainerName);
    }

    protected override IArtifactStore Store => _store;

    protected override async Task<string?> ReadContentTypeAsync(string key) =>
        (await _azurite.Container.GetBlobClient(key).GetPropertiesAsync()).Value.ContentType;

    [Fact]
    public void Description_names_the_container_and_endpoint()
    {
        Assert.Equal($"blob container {_azurite.ContainerName} at {AzuriteFixture.BlobEndpoint}/{_azurite.ContainerName}", _store.Description);
    }

    [Fact]
    public void Clients_are_pinned_to_an_api_version_azurite_accepts()
    {
        Assert.Equal(BlobClientOptions.ServiceVersion.V2026_06_06, AzureBlobArtifactStore.PinnedServiceVersion);
    }

    [Fact]
    public async Task The_first_write_creates_a_missing_container_and_reads_do_not()
    {
        var name = "atlas-lazy-" + Guid.NewGuid().ToString("N")[..20];
        var store = AzureBlobArtifactStore.FromConnectionString(AzuriteFixture.ConnectionString, name);
        var container = _azurite.Service.GetBlobContainerClient(name);
        try
        {
            Assert.Null(await store.GetAsync("a/b.txt"));
            Assert.False(await store.ExistsAsync("a/b.txt"));
            await store.DeleteAsync("a/b.txt");
            await foreach (var _ in store.ListAsync("")) Assert.Fail("a missing container listed a key");
            Assert.False((await container.ExistsAsync()).Value);

            await store.PutAsync("a/b.txt", Encoding.UTF8.GetBytes("hi"), "text/plain");

            Assert.True((await container.ExistsAsync()).Value);
            Assert.Equal("hi", Encoding.UTF8.GetString((await store.GetAsync("a/b.txt"))!));
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task Json_helpers_round_trip_through_blobs()
    {
        await _store.PutJsonAsync($"{Root}/m.json", new Sample("conv1", 3));

        Assert.Equal(new Sample("conv1", 3), await _store.GetJsonAsync<Sample>($"{Root}/m.json"));
        Assert.Equal("application/json", await ReadContentTypeAsync($"{Root}/m.json"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("a--b")]
    [InlineData("-ab")]
    [InlineData("ab-")]
    [InlineData("a_b")]
    public void Invalid_container_names_are_rejected_with_the_rule(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => AzureBlobArtifactStore.FromConnectionString(AzuriteFixture.ConnectionString, name));
        Assert.Contains("lowercase", e.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_rejected_without_echoing_it()
    {
        var e = Assert.Throws<ArgumentException>(() => AzureBlobArtifactStore.FromConnectionString("AccountKey=secret-value;nonsense", "atlas"));
        Assert.Contains("connection string is not valid", e.Message);
        Assert.DoesNotContain("secret-value", e.Message);
    }

    private sealed record Sample(string Layer, int Units);
}
