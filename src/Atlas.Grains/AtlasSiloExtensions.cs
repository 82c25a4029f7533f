using Atlas.Grains.Execution;
using Atlas.Grains.Jobs;
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

    /// <summary>The device executor and its worker loops: what makes a silo a worker.</summary>
    public static IServiceCollection AddAtlasWorkers(this IServiceCollection services, Action<WorkerOptions>? configure = null)
    {
        services.AddOptions<WorkerOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton<IUnitExecutor, UnitExecutor>();
        var count = new WorkerOptions();
        configure?.Invoke(count);
        for (int i = 0; i < count.Workers; i++)
        {
            int index = i;
            services.AddSingleton<IHostedService>(sp => new AtlasWorker(
                sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IUnitExecutor>(),
                sp.GetRequiredService<IOptions<WorkerOptions>>(), sp.GetRequiredService<ILogger<AtlasWorker>>(), index));
        }
        return services;
    }
}
