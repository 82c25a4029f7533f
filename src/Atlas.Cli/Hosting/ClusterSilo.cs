using Atlas.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Serilog;

namespace Atlas.Cli.Hosting;

/// <summary>A worker silo of a real cluster: Azure Table membership, Azure Blob job state, one executor with its workers.</summary>
public static class ClusterSilo
{
    public static IHost Build(ClusterSettings settings, ILogger logger)
    {
        var watchTick = WatchTick(Environment.GetEnvironmentVariable(WatchTickVariable));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSerilog(logger, dispose: false);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            silo.ConfigureEndpoints(settings.AdvertisedAddress, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: settings.ListeningAddress.Equals(System.Net.IPAddress.Any));
            // In a Kubernetes pod, Orleans' hosting package takes the pod's IP and name, and watches
            // the pods of the deployment so a deleted pod is declared dead at once.
            if (Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 }) silo.UseKubernetesHosting();
            silo.UseAzureStorageClustering(o => o.TableServiceClient = ClusterStorage.Tables(settings));
            ClusterStorage.AddJobStateStorage(silo, settings);
            // Checkpoint watchers live on reminders in the same storage account, so they outlive any silo.
            silo.UseAzureTableReminderService(o => o.TableServiceClient = ClusterStorage.Tables(settings));
            silo.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = watchTick < TimeSpan.FromMinutes(1) ? watchTick : TimeSpan.FromMinutes(1));
            if (settings.ProbeTimeout is { } probe)
            {
                // Faster failure detection, for tests and small clusters: a dead silo is noticed in seconds.
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = probe;
                    o.NumMissedProbesLimit = 2;
                    o.TableRefreshTimeout = probe * 2;
                    o.IAmAliveTablePublishTimeout = probe * 2;
                });
            }
        });
        builder.Services.AddAtlasJobs(o => o.LeaseDuration = settings.LeaseDuration);
        builder.Services.AddAtlasWatchers(o => o.TickPeriod = watchTick);
        builder.Services.AddAtlasWorkers(o =>
        {
            o.Workers = settings.Workers;
            o.RenewEvery = settings.RenewEvery;
        });
        return builder.Build();
    }

    /// <summary>How often checkpoint watchers wake on this cluster (seconds; default 30).</summary>
    public const string WatchTickVariable = "ATLAS_WATCH_TICK_SECONDS";

    public static TimeSpan WatchTick(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.FromSeconds(30);
        // The same range as `atlas watch --tick`.
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new Core.AtlasInputException($"{WatchTickVariable}: '{text}' is not a number of seconds from 1 to 3600");
    }
}
