using System.Net.Sockets;
using Atlas.Storage;
using Azure.Storage.Blobs;

namespace Atlas.Storage.Tests;

/// <summary>
/// A real Azurite blob endpoint and one fresh container for a test class. Azurite must already be
/// running (scripts/test.sh starts it); when it is not, every test of the class fails with a message
/// that says how to start it, instead of skipping and passing unnoticed.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's fixed, public development account key (documented by Microsoft; not a secret).</summary>
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Overridable for an Azurite elsewhere; the default is what scripts/azurite.sh starts.</summary>
    public static string BlobEndpoint =>
        Environment.GetEnvironmentVariable("ATLAS_TEST_AZURITE_BLOB") is { Length: > 0 } endpoint
            ? endpoint.TrimEnd('/')
            : "http://127.0.0.1:10000/devstoreaccount1";

    // "UseDevelopmentStorage=true" cannot point at another host or port; the explicit form can.
    public static string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};BlobEndpoint={BlobEndpoint};";

    public string ContainerName { get; } = "atlas-test-" + Guid.NewGuid().ToString("N");

    public BlobServiceClient Service { get; } = new(ConnectionString, AzureBlobArtifactStore.CreateClientOptions());

    public BlobContainerClient Container => Service.GetBlobContainerClient(ContainerName);

    public async Task InitializeAsync()
    {
        await EnsureReachableAsync();
        await Container.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Container.DeleteIfExistsAsync();
        }
        catch (Exception)
        {
            // Azurite was never reachable (the tests already failed saying so) or went away; its
            // data folder is fresh per start, so nothing accumulates.
        }
    }

    /// <summary>A TCP probe first: the SDK would retry a refused connection for many seconds before failing.</summary>
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
                $"Azurite is not reachable at {uri.Host}:{uri.Port} ({e.Message}). These tests need a real Azurite: " +
                "run the test suite with `bash scripts/test.sh`, or start Azurite with `bash scripts/azurite.sh start` " +
                "before `dotnet test` (set ATLAS_TEST_AZURITE_BLOB to use another blob endpoint).", e);
        }
    }
}
