using System.Text.RegularExpressions;
using Atlas.Abstractions;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;
using Atlas.Grains.Jobs;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>`atlas submit CONFIG --wait` as a user runs it: a separate process against a running cluster.</summary>
public class SubmitCommandTests
{
    [Fact]
    public async Task Submit_with_wait_sizes_units_for_the_clusters_device_runs_the_job_and_publishes_the_site()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(silos: 1);
        var configPath = await cluster.WriteConfigAsync(steps: 8, channelsPerUnit: null);
        var site = Path.Combine(cluster.Folder, "published");
        // Before any job, an unknown one is said to be unknown on a cluster without jobs (not "known: " and nothing).
        var beforeAny = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "status", "no-such/job");
        Assert.True(beforeAny.ExitCode == 2, beforeAny.ToString());
        Assert.Equal("error: job 'no-such/job': no such job on cluster (the cluster has no jobs)", beforeAny.StdErr.Trim());

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), cluster.Environment, "submit", configPath, "--wait", "--out", site);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var jobId = outcome.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .First(line => line.StartsWith("cluster-demo/", StringComparison.Ordinal));
        // Redirected output has no progress bars (they redraw only on a terminal): the job id, then where the site went.
        Assert.DoesNotContain("%", outcome.StdOut);
        Assert.Contains("Published 1 atlas version(s)", outcome.StdOut);
        // The client's log follows the job to its end, and the cluster client's own chatter stays out of it.
        Assert.Matches(@$"Job {Regex.Escape(jobId)} completed\n", outcome.StdErr);
        Assert.DoesNotContain("Orleans", outcome.StdErr);
        // The silo says what it computes on, and the units are sized for that (the same device as this test's process here).
        var device = await cluster.SiloDevice();
        Assert.Contains($"The cluster computes on {device}", outcome.StdErr);
        var expected = JobSpecBuilder.Build(AtlasConfigLoader.Load(configPath), workerDevice: Enum.Parse<TorchSharp.DeviceType>(device, ignoreCase: true));
        Assert.Equal(expected.JobId, jobId);
        var status = await cluster.JobNamed(jobId).GetStatus();
        Assert.Equal(JobState.Completed, status.State);
        Assert.Equal(JobPlanner.Plan(expected).Count, status.Total);
        Assert.Equal(status.Total, status.Done);
        Assert.True(File.Exists(Path.Combine(site, "index.html")), $"no site in {site}");
        // Its layers' fingerprints are recorded with it, so a later checkpoint with some identical layers can copy their units.
        Assert.True(await cluster.Store.ExistsAsync(new Atlas.Grains.Watchers.WatchKeys(expected.Atlas, expected.Version).Fingerprints), "fingerprints.json is in the store");
        Assert.True(Directory.EnumerateFiles(site, "*.html", SearchOption.AllDirectories).Count() > 5, "the site has unit pages");

        // `atlas status JOB` reports the finished job's phases; an unknown job is bad input naming the known ones.
        // At detailed the client's framework keeps to its warnings, as a silo's does: its start-up, configuration and
        // connection lines (and the host's "Press Ctrl+C to shut down") are not the user's, and a healthy cluster gives no warning.
        var shown = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "status", jobId, "--verbosity", "detailed");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.DoesNotContain("Orleans", shown.StdErr);
        Assert.DoesNotContain("Application started", shown.StdErr);
        Assert.Contains($"{jobId}: Completed", shown.StdOut);
        Assert.Contains($"units {status.Total}/{status.Total}", shown.StdOut);
        Assert.Contains("feature vis conv3", shown.StdOut);
        var overview = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "status");
        Assert.True(overview.ExitCode == 0, overview.ToString());
        Assert.DoesNotContain("Orleans", overview.StdErr);
        Assert.Contains("1 worker silo(s)", overview.StdOut);
        Assert.Contains($"{Environment.MachineName}/{cluster.Silos[0].Pid}", overview.StdOut);
        Assert.Contains(device, overview.StdOut);
        Assert.Contains(jobId, overview.StdOut);

        // Submitted again, the completed job is not run again, and the client says so rather than "submitted".
        var again = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), cluster.Environment, "submit", configPath);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(jobId, again.StdOut.Trim());
        Assert.Contains($"Job {jobId} already completed ({status.Total} of {status.Total} work units done): nothing to compute", again.StdErr);
        Assert.DoesNotContain("Submitted", again.StdErr);
        Assert.Equal(status.Executions, (await cluster.JobNamed(jobId).GetStatus()).Executions);
        var cancel = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "cancel", jobId);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal($"{jobId}: already completed; nothing to cancel", cancel.StdOut.Trim());
        Assert.Equal(JobState.Completed, (await cluster.JobNamed(jobId).GetStatus()).State);

        // The store emptied by hand: the completed job's atlas is gone, so the same submission computes it again
        // instead of saying "nothing to compute" (and --wait publishing a site without it).
        var store = cluster.Store;
        await foreach (var key in store.ListAsync("")) await store.DeleteAsync(key);
        var emptied = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), cluster.Environment, "submit", configPath, "--wait", "--out", site);
        Assert.True(emptied.ExitCode == 0, emptied.ToString());
        Assert.Contains($"Job {jobId} was completed, but ", emptied.StdErr);
        Assert.Contains("no longer holds its atlas: submitting it again", emptied.StdErr);
        Assert.True(await store.ExistsAsync(new Atlas.Storage.Manifests.AtlasKeys(expected.Atlas, expected.Version).Manifest), "the atlas manifest is stored again");
        var recomputed = await cluster.JobNamed(jobId).GetStatus();
        Assert.Equal(JobState.Completed, recomputed.State);
        Assert.Equal(recomputed.Total, recomputed.Done);
        Assert.Contains($"Submitted {jobId}: {recomputed.Total} work units", emptied.StdErr);
        Assert.Contains("Published 1 atlas version(s)", emptied.StdOut);

        var unknown = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "status", "no-such/job");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains($"error: job 'no-such/job': no such job on cluster (known: {jobId})", unknown.StdErr);


        // The same job id with other work: a mistyped store is refused before anything is asked of the cluster; another
        // config runs the completed job again; and while that runs, yet another config is refused rather than joined.
        var mistyped = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), cluster.Environment, "submit", configPath, "--store", "azure-blob://Bad_Name");
        Assert.True(mistyped.ExitCode == 2, mistyped.ToString());
        Assert.StartsWith("error: --store: storage location 'azure-blob://Bad_Name': blob container name 'Bad_Name' is not valid", mistyped.StdErr.Trim());
        await cluster.WriteConfigAsync(steps: 4000, channelsPerUnit: null);   // long enough to be still running below
        var changed = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), cluster.Environment, "submit", configPath);
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains($"Job {jobId} was completed with another config or store: submitting it again with this one", changed.StdErr);
        Assert.Equal(JobState.Running, (await cluster.JobNamed(jobId).GetStatus()).State);
        await cluster.WriteConfigAsync(steps: 9, channelsPerUnit: null);
        var clash = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), cluster.Environment, "submit", configPath);
        Assert.True(clash.ExitCode == 2, clash.ToString());
        Assert.Equal($"error: job {jobId}: is running with another config or store; wait for it to finish or cancel it (atlas cancel {jobId}), then submit again", clash.StdErr.Trim().Split('\n')[^1]);
    }
}
