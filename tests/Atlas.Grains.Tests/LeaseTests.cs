using Atlas.Abstractions;
using Atlas.Grains.Workers;

namespace Atlas.Grains.Tests;

/// <summary>Leases, stale completions, retries and fairness, on a real test cluster with a manual clock instead of sleeps.</summary>
[Collection(ClusterCollection.Name)]
public class LeaseTests(ClusterFixture fixture)
{
    private static AtlasJobSpec Spec(string jobId, int units = 4) => new(
        jobId, "lease-atlas", "v1", "{}", [new LayerPlan("conv1", units)],
        DatasetCount: 2, UnitsPerWorkUnit: 1, ImagesPerShard: 2, StoreLocation: "/tmp/unused");

    private async Task<IAtlasJobGrain> NewJob(int units = 4)
    {
        var id = $"lease-{Guid.NewGuid():N}";
        var job = fixture.Cluster.GrainFactory.GetGrain<IAtlasJobGrain>(id);
        await job.Submit(Spec(id, units));
        return job;
    }

    private static UnitResult Result(UnitLease lease) => new($"m/{lease.Unit.Id}", 1, 0);

    [Fact]
    public async Task An_expired_lease_goes_back_to_the_queue_and_the_late_completion_is_ignored()
    {
        var job = await NewJob(units: 1);
        var first = await job.LeaseNext("worker-that-dies");
        Assert.NotNull(first);

        ClusterFixture.Clock.Advance(ClusterFixture.LeaseDuration + TimeSpan.FromSeconds(1));
        UnitLease? second;
        do second = await job.LeaseNext("worker-b");
        while (second is not null && second.Unit.Id != first!.Unit.Id);

        Assert.NotNull(second);
        Assert.NotEqual(first!.LeaseId, second!.LeaseId);
        Assert.False(await job.Complete(first.LeaseId, Result(first)), "a completion under a moved-on lease is stale");
        Assert.True(await job.Complete(second.LeaseId, Result(second)));
        Assert.Equal(1, (await job.GetStatus()).Reassignments);
    }

    [Fact]
    public async Task Renewing_keeps_a_lease_alive_past_its_first_deadline()
    {
        var job = await NewJob(units: 1);
        var lease = (await job.LeaseNext("worker-a"))!;
        for (int i = 0; i < 3; i++)
        {
            ClusterFixture.Clock.Advance(ClusterFixture.LeaseDuration * 0.6);
            Assert.True(await job.Renew(lease.LeaseId));
        }
        Assert.True(await job.Complete(lease.LeaseId, Result(lease)));
        Assert.Equal(0, (await job.GetStatus()).Reassignments);
    }

    [Fact]
    public async Task A_failing_unit_is_retried_with_backoff_then_marked_failed_while_the_rest_completes()
    {
        var job = await NewJob(units: 2);
        var bad = (await job.LeaseNext("worker-a"))!;
        Assert.Equal(WorkKind.FeatureVis, bad.Unit.Kind);

        var current = bad;
        for (int failure = 1; failure <= 3; failure++)
        {
            await job.Fail(current.LeaseId, "NaN in activations");
            if (failure == 3) break;
            // Backing off: everything else may be handed out, the failed unit not yet.
            while (await job.LeaseNext("worker-a") is { } other)
            {
                Assert.NotEqual(bad.Unit.Id, other.Unit.Id);
                await job.Complete(other.LeaseId, Result(other));
            }
            ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(10 * Math.Pow(2, failure)));
            current = (await job.LeaseNext("worker-a"))!;
            Assert.Equal(bad.Unit.Id, current.Unit.Id);
        }

        // The failed unit no longer blocks anything: reduce and finalize still run.
        while (await job.LeaseNext("worker-a") is { } rest) await job.Complete(rest.LeaseId, Result(rest));
        var status = await job.GetStatus();
        Assert.Equal(JobState.Completed, status.State);
        Assert.Equal(1, status.Failed);
        Assert.Equal($"unit {bad.Unit.Id} on worker-a: NaN in activations", status.Error);
    }

    [Fact]
    public async Task Cancelling_stops_handing_out_units()
    {
        var job = await NewJob();
        Assert.NotNull(await job.LeaseNext("worker-a"));
        Assert.NotNull(await job.LeaseNext("worker-b"));
        await job.Cancel();
        Assert.Null(await job.LeaseNext("worker-a"));
        var status = await job.GetStatus();
        Assert.Equal(JobState.Cancelled, status.State);
        // Its leases went with it: no unit counts as leased any more, no worker as working on it.
        Assert.Equal(0, status.Leased);
        Assert.All(status.Phases, phase => Assert.Equal(0, phase.Leased));
        Assert.Empty(status.Workers);
    }

    [Fact]
    public async Task Workers_take_units_from_concurrent_jobs_fairly()
    {
        // Jobs other tests left running would share the workers too: this test wants two jobs alone.
        var registry = fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(0);
        foreach (var leftover in await registry.ActiveJobs())
            await fixture.Cluster.GrainFactory.GetGrain<IAtlasJobGrain>(leftover).Cancel();
        var jobA = await NewJob(units: 20);
        var jobB = await NewJob(units: 20);
        var leaser = new JobLeaser(fixture.Cluster.GrainFactory, "worker-fair");
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < 20; i++)
        {
            var lease = await leaser.LeaseNextAsync();
            Assert.NotNull(lease);
            counts[lease!.JobId] = counts.GetValueOrDefault(lease.JobId) + 1;
        }
        Assert.Equal(10, counts[jobA.GetPrimaryKeyString()]);
        Assert.Equal(10, counts[jobB.GetPrimaryKeyString()]);
    }
}
