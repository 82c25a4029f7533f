using System.Text.RegularExpressions;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>
/// `atlas submit` of a checkpoint whose weights equal a finished version's up to some layers: the cluster's workers copy
/// those layers' units from that version instead of computing them, as `atlas run` and a watcher do.
/// </summary>
public class SubmitLayerReuseTests
{
    [Fact]
    public async Task A_submitted_checkpoint_with_only_its_head_changed_has_its_other_layers_copied_by_the_workers()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(silos: 1);
        var (first, second) = await TrainedCheckpoint.WithFineTunedHeadAsync(cluster.Folder);
        var config = await cluster.WriteConfigAsync(steps: 8, channelsPerUnit: null, checkpoint: first);
        var made = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), cluster.Environment, "submit", config, "--wait");
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.DoesNotContain("reuses layers", made.StdErr);

        await cluster.WriteConfigAsync(steps: 8, channelsPerUnit: null, checkpoint: second);
        var next = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), cluster.Environment, "submit", config, "--wait");

        Assert.True(next.ExitCode == 0, next.ToString());
        var reuse = Regex.Match(next.StdErr, @"Version (\w+) reuses layers conv1, conv2, conv3 of version (\w+) \(identical weights up to them\)");
        Assert.True(reuse.Success, next.ToString());
        var (a, b) = (new AtlasKeys("cluster-demo", reuse.Groups[2].Value), new AtlasKeys("cluster-demo", reuse.Groups[1].Value));
        var store = cluster.Store;
        Assert.True(await store.ExistsAsync(b.Manifest), "the second version is complete");
        // The workers copied the conv layers' units, pictures and all, and computed the changed head's.
        var silo = await File.ReadAllTextAsync(cluster.Silos[0].LogFile);
        Assert.Matches($@"Unit \S*conv2\S* of cluster-demo/{b.Version} reused from version {a.Version}", silo);
        Assert.DoesNotMatch($@"Unit \S*logits\S* of cluster-demo/{b.Version} reused", silo);
        Assert.Equal(await store.GetAsync(a.UnitVis("conv2", 0, "channel")), await store.GetAsync(b.UnitVis("conv2", 0, "channel")));
        Assert.True(await store.ExistsAsync(b.UnitVis("logits", 0, "channel")), "the head was computed");
        Assert.Contains("Published 2 atlas version(s)", next.StdOut);
    }
}
