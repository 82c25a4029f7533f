using Atlas.Grains.Execution;
using Atlas.Grains.Jobs;
using Atlas.Grains.Watchers;
using Atlas.Grains.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atlas.Grains;

public static class AtlasSiloExtensions
{
    /// <summary>Job grain options and the clock the grains use (tests replace it with a fake one).</summary>
    public static IServiceCollection AddAtlasJobs(this IServiceCollection services, Action<JobOptions>? configure = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<JobOptions>().Configure(o => configure?.Invoke(o));
        return services;
    }

    /// <summary>
    /// Checkpoint watchers (<see cref="CheckpointWatcherGrain"/>) and the silo-side service that prepares
    /// their checkpoints. The silo also needs a reminder service (in memory embedded, Azure Table on a cluster).
    /// </summary>
    public static IServiceCollection AddAtlasWatchers(this IServiceCollection services, Action<WatcherOptions>? configure = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<WatcherOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton<CheckpointPreparer>();
        services.TryAddSingleton<CheckpointWatchService>();
        return services;
    }

    /// <summary>The device executor and its worker loops: what makes a silo a worker.</summary>
    public static IServiceCollection AddAtlasWorkers(this IServiceCollection services, Action<WorkerOptions>? configure = null)
    {
        services.AddOptions<WorkerOptions>().Configure(o => configure?.Invoke(o));
        // Every worker fetches a watched version's checkpoint when it lacks it and copies reusable units (see WatchAwareExecutor).
        services.TryAddSingleton<UnitExecutor>();
        services.TryAddSingleton<IUnitExecutor>(sp => new WatchAwareExecutor(sp.GetRequiredService<UnitExecutor>(), sp.GetRequiredService<ILogger<WatchAwareExecutor>>()));
        var count = new WorkerOptions();
        configure?.Invoke(count);
        if (count.Workers is null) Core.TorchRuntime.Initialize(); // the default depends on the device
        int workers = count.Workers ?? WorkerOptions.DefaultFor(Core.TorchRuntime.Device);
        services.AddSingleton<IHostedService>(sp => new SiloReporter(
            sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>(), workers, sp.GetRequiredService<ILogger<SiloReporter>>()));
        for (int i = 0; i < workers; i++)
        {
            int index = i;
            services.AddSingleton<IHostedService>(sp => new AtlasWorker(
                sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IUnitExecutor>(),
                sp.GetRequiredService<IOptions<WorkerOptions>>(), sp.GetRequiredService<ILogger<AtlasWorker>>(), index));
        }
        return services;
    }
}
