using Atlas.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Atlas.Grains.Tests;

/// <summary>A settable clock shared by the in-process test silos, so lease expiry is tested without sleeping.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => now;
    public void Advance(TimeSpan by) => now += by;
}

/// <summary>A real Orleans test cluster (two silos) with the job grains, memory storage and a manual clock.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public static readonly ManualClock Clock = new();
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(1);

    public TestCluster Cluster { get; } = new TestClusterBuilder(2).AddSiloBuilderConfigurator<SiloConfigurator>().Build();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddAtlasMemoryStorage();
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.AddAtlasJobs(o =>
            {
                o.LeaseDuration = LeaseDuration;
                o.MaxAttempts = 3;
                o.RetryBackoff = TimeSpan.FromSeconds(10);
            });
        }
    }

    public Task InitializeAsync() => Cluster.DeployAsync();
    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
