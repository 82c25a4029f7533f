using System.Net;
using System.Net.Sockets;
using Atlas.Core;

namespace Atlas.Cli.Hosting;

/// <summary>
/// Refuses a silo whose silo or gateway port another process already listens on. Orleans binds its listeners with
/// address reuse, so a second silo on a taken port bound it too, said "silo ready", and the earlier silo on that port
/// died. A plain listener (no reuse) cannot bind a port that someone listens on, so binding one and releasing it at
/// once tells, before the silo starts, whether the port is free.
/// </summary>
public static class SiloPorts
{
    /// <summary>Throws an input error naming the variable when the silo or gateway port of a silo with <paramref name="settings"/> is taken.</summary>
    /// <param name="position">For `silo --devices`: the device silo's position, added to both ports (null for a single silo).</param>
    public static void EnsureFree(ClusterSettings settings, int? position = null)
    {
        var address = settings.ListeningAddress;
        EnsureFree(address, settings.SiloPort + (position ?? 0), "ATLAS_SILO_PORT", position);
        EnsureFree(address, settings.GatewayPort + (position ?? 0), "ATLAS_GATEWAY_PORT", position);
    }

    private static void EnsureFree(IPAddress address, int port, string variable, int? position)
    {
        var which = position is { } p and > 0 ? $"port {port} ({variable} + {p}, for the silo in position {p} of --devices)" : $"port {port}";
        try
        {
            var probe = new TcpListener(address, port);
            probe.Start();
            probe.Stop();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AtlasInputException(
                $"{variable}: {which} is already in use on this machine (another silo?); give each silo on a machine its own ATLAS_SILO_PORT and ATLAS_GATEWAY_PORT", e);
        }
        catch (SocketException e)
        {
            // Orleans would fail on it too, later and with a longer story.
            throw new AtlasInputException($"{variable}: {which} cannot be listened on at {address} ({e.Message})", e);
        }
    }
}
