using System.Net;
using Atlas.Core;
using Atlas.Storage;

namespace Atlas.Cli.Hosting;

/// <summary>
/// Where a cluster lives, read from the environment so that silos, clients, docker-compose, the
/// Kubernetes manifests and the tests all share one set of variable names (see the README).
/// </summary>
public sealed record ClusterSettings(
    string StorageConnection,
    string ClusterId,
    string ServiceId,
    IPAddress AdvertisedAddress,
    int SiloPort,
    int GatewayPort,
    TimeSpan LeaseDuration,
    TimeSpan RenewEvery,
    int? Workers,
    TimeSpan? ProbeTimeout)
{
    public const string ConnectionVariable = ArtifactStores.DefaultConnectionVariable;

    /// <summary>Every variable a silo or client reads; deployment files (docker-compose, Kubernetes) may use only these.</summary>
    public static readonly IReadOnlyList<string> VariableNames =
    [
        ConnectionVariable, "ATLAS_CLUSTER_ID", "ATLAS_SERVICE_ID", "ATLAS_ADVERTISED_IP", "ATLAS_SILO_PORT", "ATLAS_GATEWAY_PORT",
        "ATLAS_LEASE_SECONDS", "ATLAS_RENEW_SECONDS", "ATLAS_WORKERS", "ATLAS_PROBE_TIMEOUT_SECONDS", Core.TorchRuntime.LibTorchFolderVariable, Core.TorchRuntime.CudnnBenchmarkVariable,
        Core.TorchRuntime.ThreadsVariable,
        ClusterSilo.WatchTickVariable, Grains.Watchers.CheckpointCache.RootVariable,
    ];

    /// <summary>
    /// Where the silo's listeners bind: the advertised address when it is loopback (a development machine, where only
    /// this host should reach the silo), else any address (a container's or host's own IP, as other silos reach it).
    /// </summary>
    public IPAddress ListeningAddress => IPAddress.IsLoopback(AdvertisedAddress) ? AdvertisedAddress : IPAddress.Any;

    public static ClusterSettings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var connection = read(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new AtlasInputException($"{ConnectionVariable}: not set; a cluster needs an Azure Storage connection string (Azurite in development) for clustering and job state");
        var lease = Seconds(read, "ATLAS_LEASE_SECONDS", 120);
        var renew = read("ATLAS_RENEW_SECONDS") is { Length: > 0 } ? Seconds(read, "ATLAS_RENEW_SECONDS", 20) : lease / 4;
        // A lease that ends before its renewal loses every unit to the lease sweep, over and over: the job never ends,
        // and the warnings blame dead workers.
        if (renew >= lease)
            throw new AtlasInputException($"ATLAS_RENEW_SECONDS: {renew.TotalSeconds:0.###} s is not shorter than the lease ({lease.TotalSeconds:0.###} s, ATLAS_LEASE_SECONDS): " +
                                          "every lease would end before its renewal and its unit go to another worker, again and again; renew well inside the lease (the default is a quarter of it)");
        return new ClusterSettings(
            connection,
            read("ATLAS_CLUSTER_ID") is { Length: > 0 } cluster ? cluster : "atlas",
            read("ATLAS_SERVICE_ID") is { Length: > 0 } service ? service : "circuit-atlas",
            ParseAdvertisedAddress(read("ATLAS_ADVERTISED_IP")),
            Int(read, "ATLAS_SILO_PORT", 11111, MaxPort),
            Int(read, "ATLAS_GATEWAY_PORT", 30000, MaxPort),
            lease,
            renew,
            WorkersFromEnvironment(read),
            read("ATLAS_PROBE_TIMEOUT_SECONDS") is { Length: > 0 } ? Seconds(read, "ATLAS_PROBE_TIMEOUT_SECONDS", 5) : null);
    }

    /// <summary>ATLAS_WORKERS: worker loops per silo, or null (unset) for the device's default (WorkerOptions.DefaultFor).</summary>
    public static int? WorkersFromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        return read("ATLAS_WORKERS") is { Length: > 0 } ? Int(read, "ATLAS_WORKERS", 1, MaxWorkers) : null;
    }

    private const int MaxPort = 65535;

    /// <summary>
    /// Worker loops per silo. Each holds a lease and a model; far more than a machine's devices and cores only queue
    /// (100,000 loops flooded the log with timed-out messages and took fifteen times as long).
    /// </summary>
    public const int MaxWorkers = 256;

    /// <summary>A day: longer leases, renewals or probes would leave a dead worker's units waiting for days.</summary>
    private const double MaxSeconds = 86_400;

    /// <summary>Loopback by default; "auto" takes this host's first IPv4 address (containers, where each silo has its own).</summary>
    private static IPAddress ParseAdvertisedAddress(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return IPAddress.Loopback;
        if (text == "auto")
        {
            return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                ?? IPAddress.Loopback;
        }
        return IPAddress.TryParse(text, out var address) ? address : throw new AtlasInputException($"ATLAS_ADVERTISED_IP: '{text}' is not an IP address or 'auto'");
    }

    private static int Int(Func<string, string?> read, string name, int fallback, int max)
    {
        var text = read(name);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, out var value) && value > 0 && value <= max ? value : throw new AtlasInputException($"{name}: '{text}' is not a whole number from 1 to {max}");
    }

    private static TimeSpan Seconds(Func<string, string?> read, string name, double fallback)
    {
        var text = read(name);
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.FromSeconds(fallback);
        return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 && value <= MaxSeconds
            ? TimeSpan.FromSeconds(value)
            : throw new AtlasInputException($"{name}: '{text}' is not a number of seconds above 0 and at most {MaxSeconds:0} (a day)");
    }
}
