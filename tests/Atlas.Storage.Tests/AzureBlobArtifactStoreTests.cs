using System.Text;
using Atlas.Storage;
using Azure.Storage.Blobs;

namespace Atlas.Storage.Tests;

/// <summary>The store contract against a real Azurite, in a container of its own, plus blob-only behaviour.</summary>
public sealed class AzureBlobArtifactStoreTests(AzuriteFixture azurite) : AzuriteStoreContract(azurite, _ => AzuriteFixture.ConnectionString)
{
    [Fact]
    public void Description_names_the_container_and_endpoint()
    {
        Assert.Equal($"blob container {Azurite.ContainerName} at {AzuriteFixture.BlobEndpoint}/{Azurite.ContainerName}", BlobStore.Description);
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
        var container = Azurite.Service.GetBlobContainerClient(name);
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
        await BlobStore.PutJsonAsync($"{Root}/m.json", new Sample("conv1", 3));

        Assert.Equal(new Sample("conv1", 3), await BlobStore.GetJsonAsync<Sample>($"{Root}/m.json"));
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

    /// <summary>A site that holds an image already checks it against these instead of downloading it again.</summary>
    [Fact]
    public async Task Content_hashes_are_the_md5_of_each_blob_under_the_prefix_and_follow_copies_and_rewrites()
    {
        byte[] a = Encoding.UTF8.GetBytes("first picture"), b = Encoding.UTF8.GetBytes("second picture");
        await BlobStore.PutAsync($"{Root}/img/a.png", a, "image/png");
        await BlobStore.PutAsync($"{Root}/img/b.png", b, "image/png");
        await BlobStore.PutAsync($"{Root}/other.json", b, "application/json");
        Assert.True(await BlobStore.CopyAsync($"{Root}/img/a.png", $"{Root}/img/c.png", "image/png"));

        var hashes = await new ResilientArtifactStore(BlobStore).ContentHashesAsync($"{Root}/img/");

        Assert.NotNull(hashes);
        Assert.Equal([$"{Root}/img/a.png", $"{Root}/img/b.png", $"{Root}/img/c.png"], hashes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(System.Security.Cryptography.MD5.HashData(a), hashes[$"{Root}/img/a.png"]);
        Assert.Equal(System.Security.Cryptography.MD5.HashData(b), hashes[$"{Root}/img/b.png"]);
        Assert.Equal(hashes[$"{Root}/img/a.png"], hashes[$"{Root}/img/c.png"]);

        await BlobStore.PutAsync($"{Root}/img/a.png", b, "image/png");
        Assert.Equal(System.Security.Cryptography.MD5.HashData(b), (await BlobStore.ContentHashesAsync($"{Root}/img/"))![$"{Root}/img/a.png"]);
    }

    [Fact]
    public async Task A_missing_container_has_no_content_hashes_and_is_not_created()
    {
        var name = "atlas-nohash-" + Guid.NewGuid().ToString("N")[..20];
        var store = AzureBlobArtifactStore.FromConnectionString(AzuriteFixture.ConnectionString, name);

        Assert.Empty((await store.ContentHashesAsync(""))!);
        Assert.False((await Azurite.Service.GetBlobContainerClient(name).ExistsAsync()).Value);
    }

    private sealed record Sample(string Layer, int Units);
}
