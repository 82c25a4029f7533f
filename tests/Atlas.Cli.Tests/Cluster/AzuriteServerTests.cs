using System.Net.Sockets;
using Azure.Storage.Blobs;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>The private Azurite the cluster tests rely on survives another process taking its port first.</summary>
public class AzuriteServerTests
{
    [Fact]
    public async Task A_port_taken_before_the_first_start_is_traded_for_a_free_one()
    {
        using var azurite = new AzuriteServer();
        var taken = azurite.BlobPort;
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, taken);
        squatter.Start();

        await azurite.StartAsync();

        Assert.NotEqual(taken, azurite.BlobPort);
        Assert.DoesNotContain($":{taken}/", azurite.ConnectionString);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        await blobs.GetBlobContainerClient("probe").CreateIfNotExistsAsync();
    }
}
