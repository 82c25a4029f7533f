using System.Collections.Concurrent;
using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Grains.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Atlas.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class AtlasJobGrainTests(ClusterFixture fixture)
{
    private static AtlasJobSpec Spec(string jobId, int units = 5, int images = 7) => new(
        jobId, "test-atlas", "v1", "{}",
        [new LayerPlan("conv1", units), new LayerPlan("logits", 3)],
        DatasetCount: images, UnitsPerWorkUnit: 2, ImagesPerShard: 3, StoreLocation: "/tmp/unused");

    private IAtlasJobGrain Job(string id) => fixture.Cluster.GrainFactory.GetGrain<IAtlasJobGrain>(id);

    private static UnitResult Result(WorkUnit unit) => new($"manifest/{unit.Id}", 1, 0.01);

    [Fact]
    public async Task A_small_job_completes_with_every_unit_run_exactly_once()
    {
        var id = $"job-{Guid.NewGuid():N}";
        var job = Job(id);
        var submitted = await job.Submit(Spec(id));
        // conv1: 3 ranges of ≤2 units, logits: 2, dataset: 3 shards of ≤3 images, reduce, one analysis per layer, finalize.
        Assert.Equal(3 + 2 + 3 + 1 + 2 + 1, submitted.Total);
        Assert.Contains(id, await fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(0).ActiveJobs());

        var seen = new List<string>();
        while (await job.LeaseNext("worker-a") is { } lease)
        {
            seen.Add(lease.Unit.Id);
            Assert.True(await job.Complete(lease.LeaseId, Result(lease.Unit)));
        }
        var status = await job.GetStatus();
        Assert.Equal(JobState.Completed, status.State);
        Assert.Equal(status.Total, status.Done);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(submitted.Total, seen.Count);
        Assert.Equal(JobPlanner.FinalizeId, seen[^1]);
        Assert.DoesNotContain(id, await fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(0).ActiveJobs());
    }

    [Fact]
    public async Task Reduce_waits_for_every_shard_and_finalize_for_everything()
    {
        var id = $"job-{Guid.NewGuid():N}";
        var job = Job(id);
        await job.Submit(Spec(id, units: 1, images: 3));
        var held = new List<UnitLease>();
        while (await job.LeaseNext("worker-a") is { } lease) held.Add(lease);
        // With everything leased and nothing finished, only independent units were handed out.
        Assert.DoesNotContain(held, l => l.Unit.Kind is WorkKind.ReduceExamples or WorkKind.Analysis or WorkKind.Finalize);
        foreach (var lease in held) await job.Complete(lease.LeaseId, Result(lease.Unit));
        var reduce = await job.LeaseNext("worker-a");
        Assert.Equal(WorkKind.ReduceExamples, reduce!.Unit.Kind);
        Assert.Null(await job.LeaseNext("worker-a"));
        await job.Complete(reduce.LeaseId, Result(reduce.Unit));
        // The per-layer analysis reads the merged examples, and finalize waits for it.
        var analyses = new[] { (await job.LeaseNext("worker-a"))!, (await job.LeaseNext("worker-a"))! };
        Assert.All(analyses, a => Assert.Equal(WorkKind.Analysis, a.Unit.Kind));
        Assert.Null(await job.LeaseNext("worker-a"));
        foreach (var analysis in analyses) await job.Complete(analysis.LeaseId, Result(analysis.Unit));
        Assert.Equal(WorkKind.Finalize, (await job.LeaseNext("worker-a"))!.Unit.Kind);
    }

    [Fact]
    public async Task An_abort_fails_the_job_at_once_and_hands_out_nothing_more()
    {
        var id = $"job-{Guid.NewGuid():N}";
        var job = Job(id);
        await job.Submit(Spec(id));
        var done = await job.LeaseNext("worker-a");
        await job.Complete(done!.LeaseId, Result(done.Unit));
        var other = await job.LeaseNext("worker-b");
        var doomed = await job.LeaseNext("worker-a");

        await job.Abort(doomed!.LeaseId, "the store folder /x is out of space");

        var status = await job.GetStatus();
        Assert.Equal(JobState.Failed, status.State);
        Assert.StartsWith($"unit {doomed.Unit.Id} on worker-a: the store folder /x is out of space; the job stopped there", status.Error);
        Assert.Equal(1, status.Done);   // what was finished stays finished
        Assert.Null(await job.LeaseNext("worker-a"));
        Assert.False(await job.Renew(other!.LeaseId));   // the other worker stops its unit too
        Assert.Equal(0, status.Leased);
        Assert.Empty(status.Workers);
        Assert.DoesNotContain(id, await fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(0).ActiveJobs());
    }

    [Fact]
    public async Task A_completed_job_given_another_config_or_store_runs_again_and_a_running_one_refuses_it()
    {
        var id = $"job-{Guid.NewGuid():N}";
        var job = Job(id);
        var config = new AtlasConfig
        {
            Name = "test-atlas",
            Model = new() { Architecture = "demo-cnn", Checkpoint = "/a/model.pt" },
            Dataset = new() { Kind = "fashion-mnist", Path = "/data/fashion-mnist" },
            FeatureVis = new() { Steps = 8 },
            Output = new() { Store = "/stores/a", Site = "/sites/a" },
        };
        AtlasJobSpec With(AtlasConfig c) => Spec(id) with { ConfigJson = AtlasConfigLoader.Serialize(c) };
        await job.Submit(With(config));
        while (await job.LeaseNext("worker-a") is { } lease) await job.Complete(lease.LeaseId, Result(lease.Unit));
        var completed = await job.GetStatus();
        Assert.Equal(JobState.Completed, completed.State);

        // The same work, though its checkpoint is another copy of the file and its title and site differ: left as it is.
        var same = await job.Submit(With(config with { Title = "Renamed", Model = config.Model with { Checkpoint = "/b/model.pt" }, Output = config.Output with { Site = "/sites/b" } }));
        Assert.Equal(JobState.Completed, same.State);
        Assert.Equal(completed.Executions, same.Executions);

        // Other work (more steps): planned again from the start, and the job now holds that spec.
        var moreSteps = With(config with { FeatureVis = config.FeatureVis with { Steps = 16 } });
        var again = await job.Submit(moreSteps);
        Assert.Equal(JobState.Running, again.State);
        Assert.Equal(0, again.Done);
        Assert.Equal(moreSteps.ConfigJson, (await job.GetSpec())!.ConfigJson);

        // While it runs, other work again (another store) is refused; its own work again is a no-op.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => job.Submit(With(config with { Output = config.Output with { Store = "/stores/b" } })));
        Assert.Contains("is running with another config or store", refused.Message);
        Assert.Equal(JobState.Running, (await job.Submit(moreSteps)).State);
        Assert.Equal(moreSteps.ConfigJson, (await job.GetSpec())!.ConfigJson);
    }

    [Fact]
    public async Task A_cancelled_or_failed_job_submitted_again_runs_again()
    {
        var id = $"job-{Guid.NewGuid():N}";
        var job = Job(id);
        await job.Submit(Spec(id));
        var first = await job.LeaseNext("worker-a");
        await job.Cancel();
        Assert.Equal(JobState.Cancelled, (await job.GetStatus()).State);

        var again = await job.Submit(Spec(id) with { ReuseFinishedUnits = true });
        Assert.Equal(JobState.Running, again.State);
        Assert.Null(again.Error);
        Assert.Contains(id, await fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(0).ActiveJobs());
        Assert.False(await job.Complete(first!.LeaseId, Result(first.Unit)));   // the old run's lease is void

        var lease = await job.LeaseNext("worker-a");
        Assert.True(lease!.Spec.ReuseFinishedUnits);                            // the new spec travels with the units
        await job.Abort(lease.LeaseId, "the store folder /x is out of space");
        Assert.Equal(JobState.Failed, (await job.GetStatus()).State);
        Assert.Equal(JobState.Running, (await job.Submit(Spec(id))).State);
    }

    [Fact]
    public async Task Submitting_the_same_job_twice_does_not_replan_it()
    {
        var id = $"job-{Guid.NewGuid():N}";
        var job = Job(id);
        await job.Submit(Spec(id));
        var lease = await job.LeaseNext("worker-a");
        await job.Complete(lease!.LeaseId, Result(lease.Unit));
        var again = await job.Submit(Spec(id));
        Assert.Equal(1, again.Done);
    }

    [Fact]
    public async Task Concurrent_workers_changes_are_all_in_storage_once_acknowledged()
    {
        var id = $"job-{Guid.NewGuid():N}";
        var job = Job(id);
        // 20 feature-vis ranges, 2 for logits and 20 shards: 42 units that need nothing before them.
        await job.Submit(Spec(id, units: 40, images: 60));
        var completed = new ConcurrentBag<string>();
        var held = new ConcurrentBag<UnitLease>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            while (await job.LeaseNext($"worker-{w}") is { } lease)
            {
                // Shards stay leased and the rest complete, so storage must hold both kinds of change.
                if (lease.Unit.Kind == WorkKind.ExampleShard) held.Add(lease);
                else if (await job.Complete(lease.LeaseId, Result(lease.Unit))) completed.Add(lease.Unit.Id);
            }
        })));
        Assert.Equal(22, completed.Count);
        Assert.Equal(20, held.Select(l => l.Unit.Id).Distinct().Count());

        // Read what storage holds now, past the grain: every acknowledged change must be there.
        var silo = Assert.IsType<InProcessSiloHandle>(fixture.Cluster.Primary);
        var storage = silo.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(AtlasGrainStorage.Name);
        var written = new GrainState<AtlasJobState>();
        await storage.ReadStateAsync("job", job.GetGrainId(), written);
        var byId = written.State!.Units.ToDictionary(u => u.Unit.Id);
        Assert.All(completed, unit => Assert.Equal(UnitStatus.Done, byId[unit].Status));
        Assert.All(held, lease =>
        {
            Assert.Equal(UnitStatus.Leased, byId[lease.Unit.Id].Status);
            Assert.Equal(lease.LeaseId, byId[lease.Unit.Id].LeaseId);
        });
    }
}
