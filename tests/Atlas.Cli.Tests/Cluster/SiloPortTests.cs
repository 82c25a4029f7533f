using System.Net;
using System.Net.Sockets;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>
/// `atlas silo` on a port another process listens on refuses to start: Orleans binds with address reuse, so such a
/// silo used to say "silo ready" while the earlier owner of the port died. The storage here answers nothing, so a
/// silo that got past the port check would stop on the storage check instead, with another line.
/// </summary>
public class SiloPortTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private static TcpListener Hold(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }

    /// <summary>The holder of the port still takes connections: the refused silo took nothing from it.</summary>
    private static async Task AssertStillServesAsync(TcpListener holder)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)holder.LocalEndpoint).Port);
        using var accepted = await holder.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A port that is free, and whose next one is free too (a device silo in position 1 takes base + 1).</summary>
    private static int FreePortPair()
    {
        while (true)
        {
            var port = AzuriteServer.FreePort();
            if (port >= 65535) continue;
            try
            {
                Hold(port + 1).Stop();
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }

    [Theory]
    [InlineData("ATLAS_SILO_PORT")]
    [InlineData("ATLAS_GATEWAY_PORT")]
    public async Task A_silo_on_a_port_in_use_is_refused_before_anything_else_and_the_port_keeps_its_owner(string taken)
    {
        using var holder = Hold(0);
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var (environment, _) = BadInputTests.StorageNobodyServes();
        environment["ATLAS_SILO_PORT"] = $"{AzuriteServer.FreePort()}";
        environment["ATLAS_GATEWAY_PORT"] = $"{AzuriteServer.FreePort()}";
        environment[taken] = $"{port}";

        var outcome = await CliProcess.RunAsync(Timeout, environment, "silo");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal($"error: {taken}: port {port} is already in use on this machine (another silo?); give each silo on a machine its own ATLAS_SILO_PORT and ATLAS_GATEWAY_PORT",
            outcome.StdErr.Trim());
        await AssertStillServesAsync(holder);
    }

    [Fact]
    public async Task Device_silos_are_refused_when_the_port_of_one_of_them_is_in_use()
    {
        var basePort = FreePortPair();
        using var holder = Hold(basePort + 1);
        var (environment, _) = BadInputTests.StorageNobodyServes();
        environment["ATLAS_SILO_PORT"] = $"{basePort}";
        environment["ATLAS_GATEWAY_PORT"] = $"{FreePortPair()}";

        var outcome = await CliProcess.RunAsync(Timeout, environment, "silo", "--devices", "0,1");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var error = Assert.Single(outcome.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal($"error: ATLAS_SILO_PORT: port {basePort + 1} (ATLAS_SILO_PORT + 1, for the silo in position 1 of --devices) is already in use on this machine (another silo?); " +
            "give each silo on a machine its own ATLAS_SILO_PORT and ATLAS_GATEWAY_PORT", error);
        Assert.DoesNotContain("Started the silo for device", outcome.StdOut + outcome.StdErr);
        await AssertStillServesAsync(holder);
    }
}
