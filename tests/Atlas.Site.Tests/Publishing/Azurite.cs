using System.Net.Sockets;
using Atlas.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Atlas.Site.Tests.Publishing;

/// <summary>
/// The Azurite that scripts/test.sh (or `bash scripts/azurite.sh start`) runs on 127.0.0.1:10000.
/// When it is not there, the tests fail saying how to start it rather than skip.
/// </summary>
internal static class Azurite
{
    /// <summary>Azurite's fixed, public development account key (documented by Microsoft; not a secret).</summary>
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The variable the tests pass to the publisher (through a lookup function, not the process environment).</summary>
    public const string ConnectionVariable = "ATLAS_TEST_SITE_BLOB";

    public static string BlobEndpoint =>
        Environment.GetEnvironmentVariable("ATLAS_TEST_AZURITE_BLOB") is { Length: > 0 } endpoint ? endpoint.TrimEnd('/') : "http://127.0.0.1:10000/devstoreaccount1";

    public static string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};BlobEndpoint={BlobEndpoint};";

    public static string? Environment_(string name) => name == ConnectionVariable ? ConnectionString : null;

    public static BlobContainerClient Container(string name) =>
        new BlobServiceClient(ConnectionString, AzureBlobArtifactStore.CreateClientOptions()).GetBlobContainerClient(name);

    /// <summary>
    /// A container readers can GET anonymously, as the static-website endpoint serves $web on Azure
    /// (Azurite has no such endpoint, so the blob endpoint with public read access stands in for it).
    /// </summary>
    public static async Task<BlobContainerClient> PublicContainerAsync(string name)
    {
        await EnsureReachableAsync();
        var container = Container(name);
        await container.CreateIfNotExistsAsync(PublicAccessType.Blob);
        await container.SetAccessPolicyAsync(PublicAccessType.Blob);
        return container;
    }

    public static async Task EnsureReachableAsync()
    {
        var uri = new Uri(BlobEndpoint);
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"Azurite is not reachable at {uri.Host}:{uri.Port} ({e.Message}). The publishing tests need a real Azurite: run " +
                "`bash scripts/test.sh`, or `bash scripts/azurite.sh start` before `dotnet test`.", e);
        }
    }
}
