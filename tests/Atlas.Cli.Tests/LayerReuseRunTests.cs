using System.Text.RegularExpressions;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests;

/// <summary>
/// `atlas run` of a checkpoint whose weights equal an earlier version's up to some layers (a fine-tuned head):
/// those layers' units are copied from the version the store holds instead of computed, as a watcher's versions do.
/// </summary>
public class LayerReuseRunTests
{
    [Fact]
    public async Task A_run_of_a_checkpoint_with_only_its_head_changed_copies_the_other_layers_from_the_stored_version_unless_forced()
    {
        var folder = TestData.NewTempFolder("layer-reuse");
        var (first, second) = await TrainedCheckpoint.WithFineTunedHeadAsync(folder);
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: first));
        var made = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config);
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.DoesNotContain("reuses layers", made.StdErr);

        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: second));
        var plan = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "plan", config);
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var planned = Regex.Match(plan.StdOut, @"Layers conv1, conv2, conv3 have the weights of version (\w+) up to them: `atlas run` copies their units from it \(--force computes them\)");
        Assert.True(planned.Success, plan.ToString());
        var next = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config);

        Assert.True(next.ExitCode == 0, next.ToString());
        var versions = Regex.Matches(next.StdErr, @"Version (\w+) reuses layers conv1, conv2, conv3 of version (\w+) \(identical weights up to them\)");
        var reuse = Assert.Single(versions);
        var (a, b) = (new AtlasKeys("e2e-demo", reuse.Groups[2].Value), new AtlasKeys("e2e-demo", reuse.Groups[1].Value));
        Assert.Equal(planned.Groups[1].Value, a.Version);
        Assert.True(File.Exists(Store(folder, a.Manifest)) && File.Exists(Store(folder, b.Manifest)), next.ToString());
        // The conv layers' units are copied from the first version, pictures and all; the changed head's are computed.
        Assert.Matches($@"Unit \S*conv2\S* of e2e-demo/{b.Version} reused from version {a.Version}", next.StdErr);
        Assert.DoesNotMatch(@"Unit \S*logits\S* of \S+ reused", next.StdErr);
        Assert.Equal(File.ReadAllBytes(Store(folder, a.UnitVis("conv2", 0, "channel"))), File.ReadAllBytes(Store(folder, b.UnitVis("conv2", 0, "channel"))));
        Assert.True(File.Exists(Store(folder, b.UnitVis("logits", 0, "channel"))), "the head was computed");
        Assert.Contains("2 atlas version(s)", next.StdOut);

        var forced = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.DoesNotContain("reuses layers", forced.StdErr);
        // Once this version is finished, nothing is computed: the plan says so and promises no copying.
        var after = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "plan", config);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.DoesNotContain("have the weights of version", after.StdOut);
    }

    private static string Store(string folder, string key) => Path.Combine(folder, "store", key);
}
