namespace Atlas.Cli.Tests;

/// <summary>`atlas plan`: what `run` would compute, from the same checks, and nothing written.</summary>
public class PlanCommandTests
{
    [Fact]
    public async Task Plan_lists_layers_and_work_units_writes_nothing_and_then_sees_the_finished_atlas_and_whether_it_is_this_configs()
    {
        var folder = TestData.NewTempFolder("plan");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv2\", \"logits\"]",
            checkpoint: await TrainedCheckpoint.GetAsync()));

        var elsewhere = Path.Combine(folder, "elsewhere");
        var before = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "plan", config, "--out", elsewhere);

        Assert.True(before.ExitCode == 0, before.ToString());
        var rows = before.StdOut.Split('\n').Select(l => string.Join(' ', l.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))).ToList();
        // maxUnitsPerLayer 5 of conv2's 32 channels in work units of 3: two work units; the 10 logits likewise. The demo's
        // circuits are its direct weights, so logits, which read conv3 and not conv2, get none from conv2, and the plan says why.
        Assert.Contains("conv2 conv 32×14×14 5 of 32 2 —", rows);
        Assert.Contains("logits linear 10 5 of 10 2 none", rows);
        var summary = string.Join(' ', before.StdOut.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("No circuits into logits: 'conv2' and 'logits' are not joined directly and model 'demo-cnn' offers no linearized forward for expanded weights", summary);
        Assert.Contains("11 work units: 4 feature-vis (up to 3 units each), 3 dataset shards (up to 100 images each, 240 in all), 1 merge, 2 analysis, 1 manifest", summary);
        Assert.Contains("Data set: 240 of its 10,000 images (dataset.limit: the first ones)", summary);
        Assert.Contains("nothing of this config's run; `atlas run` computes every unit", summary);
        // The console wraps a long path anywhere, so the line is compared without its white space.
        Assert.Contains($"Site{elsewhere}:`atlasrun`publishestheatlasthere", string.Concat(before.StdOut.Where(c => !char.IsWhiteSpace(c))));
        Assert.False(Directory.Exists(Path.Combine(folder, "store")) && Directory.EnumerateFiles(Path.Combine(folder, "store"), "*", SearchOption.AllDirectories).Any(), "plan stores nothing");
        Assert.False(Directory.Exists(Path.Combine(folder, "site")) || Directory.Exists(elsewhere), "plan publishes nothing");

        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", config);
        Assert.True(run.ExitCode == 0, run.ToString());
        var after = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "plan", config);

        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("this version's atlas is there; `atlas run` publishes it without computing (--force recomputes)", string.Join(' ', after.StdOut.Split('\n', StringSplitOptions.TrimEntries)));

        // The same checkpoint with another data set: the stored atlas is not this config's, so plan says so and run
        // recomputes it rather than publishing the old one; run again, it is this config's and is published as it is.
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("\"limit\": 240", "\"limit\": 200"));
        var changed = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "plan", config);
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains("this version's atlas is there, made with another config; `atlas run` recomputes it with this one", string.Join(' ', changed.StdOut.Split('\n', StringSplitOptions.TrimEntries)));
        var rerun = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", config);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("made with another config; recomputing it with this one", rerun.StdErr);
        var version = Assert.Single(Directory.GetDirectories(Path.Combine(folder, "site", "e2e-demo")));
        Assert.Contains("200 images", await File.ReadAllTextAsync(Path.Combine(version, "index.html")));
        var again = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("This checkpoint's atlas is already in the store; publishing it", again.StdErr);
    }

    [Fact]
    public async Task A_config_the_network_cannot_take_is_refused_as_run_refuses_it()
    {
        var folder = TestData.NewTempFolder("plan-bad");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv9\"]",
            checkpoint: await TrainedCheckpoint.GetAsync()));

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "plan", config);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains($"error: {config}: layers: unknown layer 'conv9' (the model has: conv1, conv2, conv3, logits)", outcome.StdErr);
    }
}
