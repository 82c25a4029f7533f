using System.Text;
using Atlas.Storage;
using Azure;
using Azure.Storage.Sas;

namespace Atlas.Storage.Tests;

/// <summary>
/// The store contract again, through a connection string that carries a shared access signature instead of the account
/// key, as a user without the key would connect. Copy Blob's source is named by its address, which a SAS request may
/// not be allowed to read; the store must copy either way.
/// </summary>
public sealed class AzureBlobSasArtifactStoreTests(AzuriteFixture azurite)
    : AzuriteStoreContract(azurite, fixture => SasConnectionString(fixture, AccountSasPermissions.All))
{
    private static string SasConnectionString(AzuriteFixture azurite, AccountSasPermissions permissions)
    {
        var sas = azurite.Service.GenerateAccountSasUri(permissions, DateTimeOffset.UtcNow.AddHours(1), AccountSasResourceTypes.All);
        return $"BlobEndpoint={AzuriteFixture.BlobEndpoint};SharedAccessSignature={sas.Query.TrimStart('?')}";
    }

    /// <summary>What a site publisher holds: a signature that may read and list, with which it still learns each image's MD5.</summary>
    [Fact]
    public async Task A_read_and_list_signature_reads_keys_and_their_hashes_and_cannot_write()
    {
        var content = Encoding.UTF8.GetBytes("picture");
        await BlobStore.PutAsync($"{Root}/img/a.png", content, "image/png");
        var reader = AzureBlobArtifactStore.FromConnectionString(
            SasConnectionString(Azurite, AccountSasPermissions.Read | AccountSasPermissions.List), Azurite.ContainerName);

        Assert.Equal(content, await reader.GetAsync($"{Root}/img/a.png"));
        Assert.Equal(System.Security.Cryptography.MD5.HashData(content), (await reader.ContentHashesAsync($"{Root}/img/"))![$"{Root}/img/a.png"]);
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => reader.PutAsync($"{Root}/img/b.png", content, "image/png"));
        Assert.Equal(403, refused.Status);
    }
}
