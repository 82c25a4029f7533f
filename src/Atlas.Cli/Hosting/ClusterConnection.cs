using Atlas.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Serilog;
using Serilog.Events;

namespace Atlas.Cli.Hosting;

/// <summary>An Orleans client of a running cluster (found through the Azure Table membership).</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost host;

    private ClusterConnection(IHost host) => this.host = host;

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public static async Task<ClusterConnection> ConnectAsync(ClusterSettings settings, ILogger logger, CancellationToken cancellationToken)
    {
        ClusterStorage.WellFormedTables(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSerilog(QuietOrleans(logger), dispose: true);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            client.UseAzureStorageClustering(o => o.TableServiceClient = ClusterStorage.Tables(settings));
            client.Services.AddSingleton<IClientConnectionRetryFilter, BriefConnectionRetry>();
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            var noSilo = e.GetBaseException() is Orleans.Runtime.SiloUnavailableException;
            // Storage that refused or did not answer is not a missing silo: say which (a wrong key, a service that is down).
            if (!noSilo) await ClusterStorage.EnsureReachableAsync(settings, cancellationToken);
            // Storage answered but lists no gateway: say so plainly rather than with Orleans' provider type name.
            var cause = noSilo ? $"none has joined it within {BriefConnectionRetry.Patience.TotalSeconds:0} s" : ErrorCause.Of(e);
            throw new Core.AtlasInputException($"cluster '{settings.ClusterId}': no silo could be reached ({cause}); is `atlas silo` running with the same ATLAS_CLUSTER_ID and {ClusterSettings.ConnectionVariable}?", e);
        }
        return new ClusterConnection(host);
    }

    /// <summary>
    /// The client's own log without Orleans' and the host's lines below Fatal at the normal level and quieter (an
    /// unreachable cluster made them log some 300 lines of retries and stack traces ahead of this class's one-line
    /// error), below Warning at detailed, as <see cref="Console.Logging"/> keeps a silo's, and every line at diagnostic.
    /// The filter is needed because this logger forwards to the verb's: the verb's per-category overrides apply only
    /// where a logger is made for a category, so they do not reach events forwarded to it (at detailed, the client's
    /// every start-up, configuration and connection line came through, "Press Ctrl+C to shut down" among them).
    /// </summary>
    private static ILogger QuietOrleans(ILogger logger)
    {
        if (logger.IsEnabled(LogEventLevel.Verbose)) return new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Logger(logger).CreateLogger();
        var floor = logger.IsEnabled(LogEventLevel.Debug) ? LogEventLevel.Warning : LogEventLevel.Fatal;
        return new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Filter.ByExcluding(e => e.Level < floor && e.Properties.TryGetValue("SourceContext", out var source)
                && (source.ToString().StartsWith("\"Orleans", StringComparison.Ordinal) || source.ToString().StartsWith("\"Microsoft", StringComparison.Ordinal)))
            .WriteTo.Logger(logger)
            .CreateLogger();
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}
