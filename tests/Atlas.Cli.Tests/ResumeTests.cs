using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Atlas.Cli.Tests;

/// <summary>
/// `atlas run` after an interruption: the embedded silo keeps job state in memory, so the run starts
/// again, but units whose manifests reached the store are taken as done when the config is the same.
/// </summary>
public class ResumeTests
{
    private const string Reused = "finished in the interrupted run: reused";

    [Fact]
    public async Task An_interrupted_run_reuses_its_finished_units_and_a_changed_config_recomputes_them()
    {
        var folder = TestData.NewTempFolder("resume");
        var config = Path.Combine(folder, "config.json");
        var text = EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv2\", \"logits\"]");
        await File.WriteAllTextAsync(config, text);
        var first = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config);
        Assert.True(first.ExitCode == 0, first.ToString());

        // An interruption before the end: no atlas manifest, one rendering unit, one dataset shard and the
        // merge of the shards unfinished.
        var version = Directory.GetFiles(Path.Combine(folder, "store"), "atlas.json", SearchOption.AllDirectories).Single();
        var root = Path.GetDirectoryName(version)!;
        File.Delete(version);
        var featureVis = Path.Combine(root, "work", "featurevis", "conv2", "0-3.json");
        var shard = Path.Combine(root, "work", "examples", "100-200.json");
        File.Delete(featureVis);
        File.Delete(shard);
        File.Delete(Path.Combine(root, "work", "examples-merged.json"));
        // A shard of an earlier run with other ranges: it must not be merged in (its images would count twice).
        File.Copy(Path.Combine(root, "work", "examples", "0-100.json"), Path.Combine(root, "work", "examples", "0-50.json"));

        var resumed = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config, "--verbosity", "debug");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Resuming the interrupted run", resumed.StdErr);
        // 4 rendering units, 3 shards, the reduce and 2 analysis units, less the 3 deleted.
        Assert.Equal(7, Regex.Count(resumed.StdErr, Reused));
        Assert.True(File.Exists(featureVis) && File.Exists(shard), "the unfinished units ran");
        var manifest = await EndToEndTests.ReadManifestAsync(folder);
        Assert.All(manifest.Layers.SelectMany(l => l.Units), unit =>
        {
            Assert.Equal(9, unit.TopExamples.Count);
            Assert.Equal(unit.TopExamples.Count, unit.TopExamples.Select(e => e.ImageIndex).Distinct().Count());
        });
        var (_, _, broken) = SiteCrawler.Crawl(Path.Combine(folder, "site"));
        Assert.Empty(broken);

        // Another config for the same checkpoint: nothing of the earlier run may stand in for its units.
        File.Delete(version);
        await File.WriteAllTextAsync(config, text.Replace("\"steps\": 4", "\"steps\": 5"));
        var changed = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config, "--verbosity", "debug");

        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.DoesNotContain("Resuming", changed.StdErr);
        Assert.Equal(0, Regex.Count(changed.StdErr, Reused));
    }

    [Fact]
    public async Task A_version_whose_retention_was_cut_short_is_not_taken_for_finished_and_run_restores_it()
    {
        var (folder, config, _) = await EndToEndTests.FinishedConv1RunAsync("resume-retired");

        // A watcher's retention wrote the version's marker and was killed before the manifest went.
        var root = Path.GetDirectoryName(Directory.GetFiles(Path.Combine(folder, "store"), "atlas.json", SearchOption.AllDirectories).Single())!;
        var marker = Path.Combine(root, "retired.json");
        await File.WriteAllTextAsync(marker, "{}");

        var again = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("This checkpoint's atlas is already in the store", again.StdErr);
        Assert.Contains("Resuming the interrupted run", again.StdErr);
        Assert.False(File.Exists(marker), "computed again, the version is no longer retired");
        Assert.True(Directory.Exists(Path.Combine(folder, "site", "e2e-demo", Path.GetFileName(root))), "the site lists it again");
    }

    [Fact]
    public async Task A_new_title_reaches_the_site_of_a_finished_atlas_without_recomputing_it()
    {
        var folder = TestData.NewTempFolder("retitle");
        var config = Path.Combine(folder, "config.json");
        var text = EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv1\"]", checkpoint: await TrainedCheckpoint.GetAsync());
        await File.WriteAllTextAsync(config, text);
        var first = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);
        Assert.True(first.ExitCode == 0, first.ToString());

        await File.WriteAllTextAsync(config, text.Replace("\"End-to-end demo\"", "\"Retitled demo\""));
        var again = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("This checkpoint's atlas is already in the store", again.StdErr);
        Assert.Contains("Retitled the stored atlas 'Retitled demo' (was 'End-to-end demo')", again.StdErr);
        Assert.Equal("Retitled demo", (await EndToEndTests.ReadManifestAsync(folder)).Title);
        Assert.Contains("Retitled demo", await File.ReadAllTextAsync(Path.Combine(folder, "site", "index.html")));
    }

    [Fact]
    public async Task A_run_killed_halfway_is_finished_by_the_next_run_and_a_killed_forced_run_leaves_no_stale_atlas()
    {
        var folder = TestData.NewTempFolder("resume-kill");
        var config = Path.Combine(folder, "config.json");
        // Enough steps that the job is still computing when its first units reach the store.
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv2\", \"logits\"]")
            .Replace("\"steps\": 4", "\"steps\": 150"));
        var store = Path.Combine(folder, "store");
        // What the units write last: rendering, shard and analysis manifests, and the merged examples.
        string[] UnitManifests() => Directory.Exists(store)
            ? Directory.GetFiles(store, "*.json", SearchOption.AllDirectories)
                .Where(f => new[] { "work/featurevis/", "work/examples/", "work/analysis/", "work/examples-merged.json" }.Any(part => f.Replace('\\', '/').Contains(part)))
                .ToArray()
            : [];
        bool Published() => Directory.Exists(store) && Directory.GetFiles(store, "atlas.json", SearchOption.AllDirectories).Length > 0;

        await KillWhenAsync(() => UnitManifests().Length > 0, "run", config);
        Assert.False(Published());
        int finished = UnitManifests().Length;

        var resumed = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config, "--verbosity", "debug");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Resuming the interrupted run", resumed.StdErr);
        Assert.Equal(finished, Regex.Count(resumed.StdErr, Reused));
        var (_, _, broken) = SiteCrawler.Crawl(Path.Combine(folder, "site"));
        Assert.Empty(broken);
        Assert.All((await EndToEndTests.ReadManifestAsync(folder)).Layers, layer => Assert.Equal(5, layer.Units.Count));

        // --force withdraws the finished atlas and its units' results first: killed once it has stored a unit
        // of its own, it leaves nothing that looks complete, and only its own results to resume from.
        int total = UnitManifests().Length; // 4 rendering units, 3 shards, the reduce and 2 analysis units
        Assert.Equal(10, total);
        var forcedStart = DateTime.UtcNow;
        await KillWhenAsync(() => !Published() && UnitManifests().Any(f => File.GetLastWriteTimeUtc(f) >= forcedStart), "run", config, "--force");
        Assert.False(Published());
        int recomputed = UnitManifests().Length;
        Assert.True(recomputed < total, $"{recomputed} unit results after the forced run was killed: the earlier run's were not withdrawn");
        var again = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config, "--verbosity", "debug");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Resuming the interrupted run", again.StdErr);
        Assert.Equal(recomputed, Regex.Count(again.StdErr, Reused));
        Assert.True(Published());
    }

    /// <summary>Starts the program and kills it (the whole process tree, as a crash would) once <paramref name="condition"/> holds.</summary>
    private static async Task KillWhenAsync(Func<bool> condition, params string[] args)
    {
        using var process = CliProcess.Start(new Dictionary<string, string>(), args);
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(process.HasExited, $"atlas {string.Join(' ', args)} ended before it could be interrupted");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), "the condition never came");
            await Task.Delay(20);
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await output;
    }
}
