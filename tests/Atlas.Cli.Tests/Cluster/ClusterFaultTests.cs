using Atlas.Abstractions;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Azure.Storage.Blobs;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>
/// The distributed job with real silo processes on loopback and Azurite as storage: a silo killed
/// while it holds leases, every silo restarted, storage down for 20 s, a job cancelled.
/// </summary>
public class ClusterFaultTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Killing_a_silo_that_holds_leases_loses_nothing()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(silos: 3);
        var submitted = await cluster.SubmitAsync();

        var pids = cluster.Silos.Select(s => s.Pid).ToHashSet();
        var busy = await cluster.WaitUntilAsync(s => s.Done >= 6 && s.Workers.Any(w => pids.Contains(PidOf(w))), JobTimeout);
        var victim = cluster.Silos.First(s => busy.Workers.Any(w => PidOf(w) == s.Pid));
        victim.Kill();

        var final = await cluster.WaitUntilAsync(s => s.IsFinished, JobTimeout);
        Assert.Equal(JobState.Completed, final.State);
        Assert.Equal(0, final.Failed);
        Assert.True(final.Reassignments >= 1, "the killed silo's leases were reassigned and the status reports it");
        await AssertEveryUnitExactlyOnce(cluster, submitted);

        // `atlas status` lists the surviving silos (machine/process, device) and no longer the dead one.
        var survivors = cluster.Silos.Where(s => s != victim).Select(s => $"{Environment.MachineName}/{s.Pid}").ToList();
        var listed = await StatusUntilAsync(cluster, o => o.StdOut.Contains("2 worker silo(s)") && !o.StdOut.Contains($"/{victim.Pid} "));
        Assert.All(survivors, s => Assert.Contains(s, listed.StdOut));
        Assert.Contains("cpu", listed.StdOut);
    }

    private static async Task<CliProcess.Outcome> StatusUntilAsync(ClusterHarness cluster, Func<CliProcess.Outcome, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "status");
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            if (condition(outcome)) return outcome;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"atlas status never showed what was expected:\n{outcome}");
            await Task.Delay(1000);
        }
    }

    [Fact]
    public async Task Restarting_every_silo_resumes_the_job_without_recomputing_completed_units()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(silos: 2);
        var submitted = await cluster.SubmitAsync();

        await cluster.WaitUntilAsync(s => s.Done >= submitted.Total / 3, JobTimeout);
        // A unit finished before the stop: its manifest exists, so its picture is durable.
        var doneKeys = await cluster.Store.ListAsync(cluster.Keys.Root + "/work/featurevis/").ToListAsync();
        Assert.NotEmpty(doneKeys);
        var finishedWork = await cluster.Store.GetJsonAsync<Atlas.Grains.Execution.FeatureVisWork>(doneKeys[0]);
        var finishedVis = finishedWork!.Units[0].VisKey;
        var etagBefore = await ETag(cluster, finishedVis);
        var before = await cluster.StatusAsync();
        foreach (var silo in cluster.Silos) silo.Kill();
        cluster.Silos.Clear();

        await cluster.StartSilosAsync(2);
        var resumed = await cluster.StatusAsync();
        Assert.True(resumed.Done >= before.Done, $"done went from {before.Done} to {resumed.Done} across the restart");
        var final = await cluster.WaitUntilAsync(s => s.IsFinished, JobTimeout);

        Assert.Equal(JobState.Completed, final.State);
        // Every hand-out after the restart is a unit that was not done before it: pending ones once,
        // and those in flight at the stop once more after their lease expired.
        int executionsAfter = final.Executions - before.Executions;
        int allowed = final.Total - before.Done - before.Leased + (final.Reassignments - before.Reassignments);
        Assert.True(executionsAfter <= allowed, $"{executionsAfter} executions after the restart, at most {allowed} expected (done before {before.Done}/{final.Total})");
        Assert.Equal(etagBefore, await ETag(cluster, finishedVis));
        await AssertEveryUnitExactlyOnce(cluster, submitted);
    }

    [Fact]
    public async Task Submit_wait_follows_its_job_through_the_loss_of_every_silo_it_talked_to_and_publishes_it()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(silos: 1);
        var config = await cluster.WriteConfigAsync(steps: 40);
        var jobId = JobSpecBuilder.Build(AtlasConfigLoader.Load(config)).JobId;
        var waiting = CliProcess.RunAsync(TimeSpan.FromMinutes(8), cluster.Environment, "submit", config, "--wait");

        // The client's only gateway goes, mid-job; another silo takes over the job from storage.
        await WaitForAsync(async () => await cluster.JobNamed(jobId).GetStatus() is { Done: >= 3 } status && !status.IsFinished, waiting);
        cluster.Silos[0].Kill();
        cluster.Silos.Clear();
        await cluster.StartSilosAsync(1);
        var outcome = await waiting;

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"Lost the connection to the silo that answers for job {jobId}", outcome.StdErr);
        Assert.Contains($"Job {jobId} completed", outcome.StdErr);
        Assert.True(File.Exists(Path.Combine(cluster.Folder, "site", "index.html")), "the job was not published");
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, Task<CliProcess.Outcome> process)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                // The job is not submitted yet: its grain has no state to answer from.
            }
            if (process.IsCompleted) throw new Xunit.Sdk.XunitException($"atlas submit ended first:\n{await process}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the job never got under way");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_storage_outage_of_twenty_seconds_is_ridden_out()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(silos: 2);
        var submitted = await cluster.SubmitAsync();

        await cluster.WaitUntilAsync(s => s.Done >= 6, JobTimeout);
        await cluster.Azurite.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(20));
        await cluster.Azurite.StartAsync();

        var final = await cluster.WaitUntilAsync(s => s.IsFinished, JobTimeout);
        Assert.Equal(JobState.Completed, final.State);
        Assert.Equal(0, final.Failed);
        await AssertEveryUnitExactlyOnce(cluster, submitted);
    }

    [Fact]
    public async Task Cancelling_mid_job_stops_the_work_and_publishes_nothing_and_submitting_it_again_runs_it_to_the_end()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(silos: 2);
        await cluster.SubmitAsync(steps: 80);
        await cluster.WaitUntilAsync(s => s.Done >= 3, JobTimeout);

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "cancel", cluster.Spec!.JobId);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("cancelled", outcome.StdOut);

        var cancelled = await cluster.StatusAsync();
        Assert.Equal(JobState.Cancelled, cancelled.State);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var later = await cluster.StatusAsync();
        Assert.Equal(cancelled.Done, later.Done);
        Assert.False(await cluster.Store.ExistsAsync(cluster.Keys.Manifest), "a cancelled job writes no atlas manifest");
        Assert.DoesNotContain(cluster.Spec.JobId, await ActiveJobs(cluster));

        // Submitted again, the cancelled job runs again to the end and is published (with 2 steps, so the test stays short).
        var config = await cluster.WriteConfigAsync(steps: 2);
        var again = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), cluster.Environment, "submit", config, "--wait");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("was cancelled: submitting it again", again.StdErr);
        Assert.Equal(JobState.Completed, (await cluster.StatusAsync()).State);
        Assert.True(await cluster.Store.ExistsAsync(cluster.Keys.Manifest), "the job submitted again was not published");
    }

    private static async Task<IReadOnlyList<string>> ActiveJobs(ClusterHarness cluster)
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "status");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        return outcome.StdOut.Contains("Running", StringComparison.Ordinal) ? [cluster.Spec!.JobId] : [];
    }

    private static int PidOf(string worker) => int.TryParse(worker.Split('/')[1], out var pid) ? pid : -1;

    private static async Task<string> ETag(ClusterHarness cluster, string key)
    {
        var blob = new BlobContainerClient(cluster.Azurite.ConnectionString, cluster.Container,
            new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06)).GetBlobClient(key);
        return (await blob.GetPropertiesAsync()).Value.ETag.ToString();
    }

    /// <summary>The manifest lists every planned unit once, and every image it names is in the store.</summary>
    private static async Task AssertEveryUnitExactlyOnce(ClusterHarness cluster, JobStatus submitted)
    {
        var manifest = await cluster.Store.GetJsonAsync<AtlasManifest>(cluster.Keys.Manifest);
        Assert.NotNull(manifest);
        foreach (var plan in cluster.Spec!.Layers)
        {
            var layer = manifest!.Layers.Single(l => l.Name == plan.Name);
            Assert.Equal(Enumerable.Range(0, plan.Units), layer.Units.Select(u => u.Index));
            foreach (var unit in layer.Units)
            {
                Assert.True(await cluster.Store.ExistsAsync(unit.VisKey), $"{unit.VisKey} is missing");
                Assert.Equal(9, unit.TopExamples.Count);
            }
        }
        var status = await cluster.StatusAsync();
        Assert.Equal(submitted.Total, status.Done);
    }
}
