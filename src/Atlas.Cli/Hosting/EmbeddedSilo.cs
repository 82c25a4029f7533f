using System.Net;
using System.Net.Sockets;
using Atlas.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Atlas.Cli.Hosting;

/// <summary>
/// The embedded default: one silo in this process with localhost clustering, in-memory job state and
/// its workers (ATLAS_WORKERS, else one on a CPU and two on a GPU). The job still goes through the same
/// grains and workers a cluster runs.
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    private readonly IHost host;

    private EmbeddedSilo(IHost host) => this.host = host;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Refuses a bad ATLAS_WORKERS before a verb that will start this silo touches anything: read only when the silo
    /// starts, it failed `atlas run` after the run had withdrawn the stored atlas it was about to recompute.
    /// </summary>
    public static void CheckEnvironment() => ClusterSettings.WorkersFromEnvironment();

    /// <param name="workers">False for a silo that only hosts grains (benchmarks of the coordination alone).</param>
    /// <param name="jobStorage">Where job state lives; in memory unless given (benchmarks also measure Azure Blob storage).</param>
    /// <param name="watchTick">How often checkpoint watchers wake (`atlas watch` sets it; otherwise WatcherOptions' default).</param>
    public static async Task<EmbeddedSilo> StartAsync(ILogger logger, CancellationToken cancellationToken, bool workers = true, Action<ISiloBuilder>? jobStorage = null,
        TimeSpan? watchTick = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSerilog(logger, dispose: false);
        // Ctrl+C and SIGTERM belong to the verb (its cancellation token, exit code 130): the host's console
        // lifetime would take them too, and stop the silo under a verb that does not know why.
        builder.Services.AddSingleton<IHostLifetime, VerbOwnedLifetime>();
        builder.UseOrleans(silo =>
        {
            // Free ports, so two runs (or a run and the tests) on one machine never collide.
            silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort(), serviceId: "circuit-atlas", clusterId: "embedded");
            if (jobStorage is null) silo.AddAtlasMemoryStorage();
            else jobStorage(silo);
            // Checkpoint watchers tick on a reminder; in one process, memory reminders are enough.
            silo.UseInMemoryReminderService();
            silo.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        builder.Services.AddAtlasJobs();
        builder.Services.AddAtlasWatchers(o => o.TickPeriod = watchTick ?? o.TickPeriod);
        if (workers) builder.Services.AddAtlasWorkers(o => o.Workers = ClusterSettings.WorkersFromEnvironment());
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new EmbeddedSilo(host);
    }

    private sealed class VerbOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}
