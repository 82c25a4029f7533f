using System.Text.Json;
using Atlas.Cli.Hosting;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>`atlas watch CONFIG --cluster` as a user runs it: separate processes against a running silo.</summary>
public class WatchOnClusterTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private static async Task<string> WriteConfigAsync(ClusterHarness cluster, string name, string dataset, int steps = 2)
    {
        var path = Path.Combine(cluster.Folder, $"{name}.json");
        await File.WriteAllTextAsync(path, $$"""
            {
              "name": "{{name}}",
              "model": { "architecture": "demo-cnn", "checkpoint": "unused.pt" },
              "dataset": { "kind": "fashion-mnist", "path": {{JsonSerializer.Serialize(dataset)}}, "limit": 120 },
              "maxUnitsPerLayer": 2,
              "featureVis": { "steps": {{steps}}, "channelsPerUnit": 2 },
              "examples": { "topK": 3, "batchSize": 60, "imagesPerShard": 60 },
              "output": { "store": "azure-blob://{{cluster.Container}}", "site": "site" },
              "watch": { "source": "checkpoints", "keepVersions": 2 }
            }
            """);
        return path;
    }

    [Fact]
    public async Task Watch_cluster_refuses_data_the_silo_cannot_see_then_hands_over_a_watcher_that_publishes_a_version_and_stops()
    {
        await using var cluster = new ClusterHarness();
        cluster.Environment[ClusterSilo.WatchTickVariable] = "1";
        await cluster.StartAsync(silos: 1);
        var checkpoints = Directory.CreateDirectory(Path.Combine(cluster.Folder, "checkpoints")).FullName;
        File.Copy(await TrainedCheckpoint.GetAsync(), Path.Combine(checkpoints, "first.pt"));

        // Data the cluster cannot see: refused at once with the field, the path and the silo, and no watcher starts.
        var absent = Path.Combine(cluster.Folder, "images-on-my-laptop");
        var refusedConfig = await WriteConfigAsync(cluster, "refused", absent);
        var refused = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", refusedConfig, "--cluster");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        var error = Assert.Single(refused.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: {refusedConfig}: dataset.path: '{absent}' is not on the cluster's silo {Environment.MachineName};", error);
        // A watcher that never started is said to be none, not a stopped one with blank dates; stopping it stops nothing.
        var nothingToStop = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", refusedConfig, "--cluster", "--stop");
        Assert.True(nothingToStop.ExitCode == 0, nothingToStop.ToString());
        Assert.Contains($"No watcher of atlas refused on cluster {cluster.Environment["ATLAS_CLUSTER_ID"]}; nothing to stop", nothingToStop.StdErr);
        Assert.DoesNotContain("Stopped", nothingToStop.StdErr);
        var notStarted = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", refusedConfig, "--cluster", "--status");
        Assert.True(notStarted.ExitCode == 0, notStarted.ToString());
        Assert.Equal($"no watcher of atlas refused on cluster {cluster.Environment["ATLAS_CLUSTER_ID"]}; `atlas watch CONFIG --cluster` starts one", notStarted.StdOut.Trim());

        // Data it can see: the silo's watcher finds the checkpoint and publishes its version to the store.
        var config = await WriteConfigAsync(cluster, "cluster-watch", TestData.FashionMnistFolder());
        var started = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", config, "--cluster");
        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Contains("The cluster now watches", started.StdErr);
        var version = await FirstVersionAsync(cluster.Store, "cluster-watch", TimeSpan.FromMinutes(4));

        // The version published from the blob store by hand, twice: the second publish downloads none of its images again.
        await AssertRepublishKeepsEveryImageAsync(cluster);
        // A second checkpoint caught half-saved: the status says so, and it is no version.
        var trained = await File.ReadAllBytesAsync(Path.Combine(checkpoints, "first.pt"));
        await File.WriteAllBytesAsync(Path.Combine(checkpoints, "second.pt"), trained[..(trained.Length / 2)]);
        const string HalfSaved = "still being written: second.pt (a TorchSharp checkpoint whose entry";
        // The watcher lists at its next one-second tick; the reminder that drives it may be a little late.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        CliProcess.Outcome shown;
        do
        {
            shown = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", config, "--cluster", "--status");
            Assert.True(shown.ExitCode == 0, shown.ToString());
        }
        while (!shown.StdOut.Contains(HalfSaved) && DateTime.UtcNow < deadline);
        Assert.Contains("cluster-watch: watching", shown.StdOut);
        Assert.Contains("first.pt", shown.StdOut);
        Assert.Contains(version, shown.StdOut);
        Assert.Contains(HalfSaved, shown.StdOut);

        var stop = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", config, "--cluster", "--stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("Stopped the cluster's watcher of cluster-watch", stop.StdErr);
        var stopped = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", config, "--cluster", "--status");
        Assert.Contains("cluster-watch: stopped", stopped.StdOut);
        var again = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", config, "--cluster", "--stop");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("is stopped already; nothing to stop", again.StdErr);

        // A watcher stopped while its version computes says that the version's job goes on, and how to stop that too.
        var slow = await WriteConfigAsync(cluster, "cluster-slow", TestData.FashionMnistFolder(), steps: 10000);
        Assert.True((await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", slow, "--cluster")).ExitCode == 0);
        var job = $"cluster-slow/{version}";
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        do shown = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", slow, "--cluster", "--status");
        while (!shown.StdOut.Contains(job) && DateTime.UtcNow < deadline);
        Assert.Contains("Running", shown.StdOut);
        var stopSlow = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "watch", slow, "--cluster", "--stop");
        Assert.True(stopSlow.ExitCode == 0, stopSlow.ToString());
        Assert.Contains($"Version {version}'s job {job} (first.pt) goes on: `atlas cancel {job}` stops it; the watcher started again finishes that version", stopSlow.StdErr);
        Assert.True((await CliProcess.RunAsync(CommandTimeout, cluster.Environment, "cancel", job)).ExitCode == 0);
    }

    private static async Task AssertRepublishKeepsEveryImageAsync(ClusterHarness cluster)
    {
        string[] publish = ["publish", "--store", $"azure-blob://{cluster.Container}", "--out", Path.Combine(cluster.Folder, "published")];
        var first = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, publish);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.DoesNotContain("taken from the previous site", first.StdOut);
        var again = await CliProcess.RunAsync(CommandTimeout, cluster.Environment, publish);
        Assert.True(again.ExitCode == 0, again.ToString());
        var images = System.Text.RegularExpressions.Regex.Match(again.StdOut, @"Published 1 atlas version\(s\), \d+ pages, (\d+) images");
        Assert.True(images.Success, again.ToString());
        Assert.Contains($"\n  {images.Groups[1].Value} image(s) unchanged in the store, taken from the previous site instead of downloaded", again.StdOut);
    }

    private static async Task<string> FirstVersionAsync(IArtifactStore store, string atlas, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await foreach (var key in store.ListAsync($"{atlas}/"))
                if (AtlasKeys.IsManifestKey(key)) return key.Split('/')[1];
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no version of {atlas} in the store after {timeout}");
            await Task.Delay(500);
        }
    }
}
