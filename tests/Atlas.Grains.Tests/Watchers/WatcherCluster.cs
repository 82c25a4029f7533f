using Atlas.Abstractions;
using Atlas.Grains.Watchers;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// A one-silo test cluster as a real cluster has it: grain state in Azure Blob storage and reminders in
/// Azure Table storage (both Azurite), job and watcher grains, and a manual clock for the watchers
/// (only theirs: Orleans' reminder timers run on the silo's TimeProvider, which must keep real time). Two clusters built
/// with the same service id share that state, which is how a restart is tested.
/// </summary>
public sealed class WatcherCluster : IAsyncDisposable
{
    // The silo configurator is created by type, so it reads its settings from here; the watcher tests
    // run one at a time (their collection is not parallel), so one set is in force at a time.
    private static ManualClock clock = new();
    private static TimeSpan tick;
    private static string stateContainer = "";

    public TestCluster Cluster { get; }
    public ManualClock Clock { get; }
    public IGrainFactory Grains => Cluster.GrainFactory;

    private WatcherCluster(TestCluster cluster, ManualClock clock)
    {
        Cluster = cluster;
        Clock = clock;
    }

    /// <param name="serviceId">Clusters with the same id share grain state and reminders.</param>
    /// <param name="tickPeriod">Reminder period; long by default, so tests drive ticks themselves.</param>
    public static async Task<WatcherCluster> StartAsync(string serviceId, ManualClock clock, TimeSpan? tickPeriod = null)
    {
        await WatchTestData.AzuriteAsync();
        WatcherCluster.clock = clock;
        tick = tickPeriod ?? TimeSpan.FromHours(1);
        stateContainer = "watch-state-" + serviceId;
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new WatcherCluster(cluster, clock);
    }

    /// <summary>The silo's preparer, to count preparations.</summary>
    public CheckpointPreparer Preparer => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<CheckpointPreparer>();

    public ICheckpointWatcherGrain Watcher(string atlas) => Grains.GetGrain<ICheckpointWatcherGrain>(atlas);

    /// <summary>Plays every worker of a job: leases each unit and reports it done, until the job completes.</summary>
    public async Task CompleteJobAsync(string jobId)
    {
        var job = Grains.GetGrain<IAtlasJobGrain>(jobId);
        while (await job.LeaseNext("test-worker") is { } lease)
            Assert.True(await job.Complete(lease.LeaseId, new UnitResult($"test/{lease.Unit.Id}", 1, 0)));
        Assert.Equal(JobState.Completed, (await job.GetStatus()).State);
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var connection = WatchTestData.ConnectionString;
            silo.Services.AddAzureBlobGrainStorage(AtlasGrainStorage.Name, options => options.Configure<Serializer>((o, serializer) =>
            {
                o.BlobServiceClient = new BlobServiceClient(connection, Atlas.Storage.AzureBlobArtifactStore.CreateClientOptions());
                o.ContainerName = stateContainer;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
            silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(connection));
            silo.Configure<Orleans.Hosting.ReminderOptions>(o =>
            {
                o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
                o.RefreshReminderListPeriod = TimeSpan.FromSeconds(2);
                o.InitializationTimeout = TimeSpan.FromSeconds(30);
            });
            silo.Services.AddAtlasJobs();
            silo.Services.AddAtlasWatchers(o =>
            {
                o.TickPeriod = tick;
                o.RetryBackoff = TimeSpan.FromSeconds(10);
                o.Clock = clock;
            });
        }
    }
}

/// <summary>Watcher tests share static cluster settings and a TorchSharp process: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WatcherCollection
{
    public const string Name = "checkpoint watchers";
}
