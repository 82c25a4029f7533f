using System.Globalization;
using System.Text.Json;
using Atlas.Abstractions;
using Atlas.Cli.Pipeline;
using Atlas.Cli.Tests.Analysis;
using Atlas.Core.Configuration;
using Atlas.Core.Training;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Cli.Tests.Watch;

/// <summary>
/// The demo as a test: the demo model trained for 1 and for 2 epochs lands in a watched folder
/// (with a duplicate under another name, a corrupt file and a half-saved one beside them); `atlas watch --once` makes one
/// version per checkpoint, the second compares its units with the first, and the site links them.
/// </summary>
public class WatchCommandTests
{
    private static string Config(string folder, string dataFolder, string schedule = "on-arrival", int keep = 5, string source = "checkpoints") =>
        $$"""
        {
          "name": "watch-demo",
          "model": { "architecture": "demo-cnn", "checkpoint": "unused.pt" },
          "dataset": { "kind": "fashion-mnist", "path": {{JsonSerializer.Serialize(dataFolder)}}, "split": "test", "limit": 200 },
          "maxUnitsPerLayer": 4,
          "featureVis": { "steps": 2, "channelsPerUnit": 4 },
          "examples": { "topK": 4, "batchSize": 100, "imagesPerShard": 100 },
          "output": { "store": "store", "site": "site" },
          "watch": { "source": {{JsonSerializer.Serialize(source)}}, "schedule": {{JsonSerializer.Serialize(schedule)}}, "keepVersions": {{keep}} }
        }
        """;

    private static string Train(string folder, string name, int epochs)
    {
        var path = Path.Combine(folder, name);
        DemoTrainer.Train(new TrainConfig { Epochs = epochs, MaxImages = 1000, BatchSize = 100, Seed = 3 },
            new DatasetConfig { Kind = "fashion-mnist", Path = TestData.FashionMnistFolder() }, path, NullLogger.Instance);
        return path;
    }

    [Fact]
    public async Task Watch_once_makes_a_version_per_checkpoint_and_the_second_is_compared_with_the_first_on_the_site()
    {
        var folder = TestData.NewTempFolder("watch-demo");
        var checkpoints = Directory.CreateDirectory(Path.Combine(folder, "checkpoints")).FullName;
        var epoch1 = Train(checkpoints, "epoch1.pt", 1);
        var epoch2 = Train(checkpoints, "epoch2.pt", 2);
        File.SetLastWriteTimeUtc(epoch1, DateTime.UtcNow.AddMinutes(-2));
        File.SetLastWriteTimeUtc(epoch2, DateTime.UtcNow.AddMinutes(-1));
        // The same bytes again under another name, written later: not a new checkpoint.
        var again = Path.Combine(checkpoints, "epoch2-again.pt");
        File.Copy(epoch2, again);
        File.SetLastWriteTimeUtc(again, DateTime.UtcNow);
        await File.WriteAllBytesAsync(Path.Combine(checkpoints, "broken.pt"), [.. Enumerable.Range(0, 4000).Select(i => (byte)(i * 37))]);
        // A third epoch caught half-saved: left for a later listing, neither a version nor rejected.
        var epoch2Bytes = await File.ReadAllBytesAsync(epoch2);
        await File.WriteAllBytesAsync(Path.Combine(checkpoints, "epoch3.pt"), epoch2Bytes[..(epoch2Bytes.Length / 2)]);
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, Config(folder, TestData.FashionMnistFolder()));

        var outcome = await InProcessCli.RunAsync("watch", config, "--once", "--tick", "1");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifests = new List<AtlasManifest>();
        await foreach (var key in store.ListAsync(""))
            if (AtlasKeys.IsManifestKey(key)) manifests.Add((await store.GetJsonAsync<AtlasManifest>(key))!);
        var v1 = Sha12(epoch1);
        var v2 = Sha12(epoch2);
        // Two versions: the copy of epoch 2 is not new, the corrupt file is skipped.
        Assert.Equal(new[] { v1, v2 }.Order(), manifests.Select(m => m.Version).Order());
        Assert.Contains("broken.pt", outcome.StdOut + outcome.StdErr);
        Assert.Contains("epoch3.pt is still being written (a TorchSharp checkpoint whose entry", outcome.StdOut + outcome.StdErr);
        Assert.DoesNotContain("epoch3.pt (sha256", outcome.StdOut + outcome.StdErr);
        // The embedded silo's framework keeps to errors at the normal level.
        Assert.DoesNotContain("Orleans", outcome.StdOut + outcome.StdErr);
        // The watcher grain in this process tells each checkpoint's story, once: neither the job grain's own lines
        // ("planned N units", "Completed") nor the verb's echo of each change repeat it.
        var log = (outcome.StdOut + outcome.StdErr).Split('\n');
        Assert.DoesNotContain(" planned ", outcome.StdErr);
        Assert.Single(log, l => l.Contains("Watching "));
        Assert.Single(log, l => l.Contains($"version {v2}") && l.Contains("is complete in the store"));
        Assert.Single(log, l => l.Contains("broken.pt") && l.Contains("skipped"));
        // Each version's accuracy on the data set is said once, naming the version (as `run` says its one).
        foreach (var manifest in manifests)
            Assert.Single(log, l => l.Contains(string.Create(CultureInfo.InvariantCulture,
                $"Version {manifest.Version}: accuracy on the data set: {manifest.Accuracy!.Fraction() * 100:0.0} % of {manifest.Accuracy.Images:N0} images")));

        var second = manifests.Single(m => m.Version == v2);
        Assert.Equal("epoch2.pt", second.Model.CheckpointFile);
        Assert.NotNull(second.Model.TestAccuracy);   // the trainer's side file travelled with the checkpoint
        Assert.Equal(v1, Assert.Single(second.OtherVersions).Version);
        var matches = second.Layers.SelectMany(l => l.Units).SelectMany(u => u.Matches).ToList();
        Assert.NotEmpty(matches);
        Assert.All(matches, m =>
        {
            Assert.Equal(v1, m.Version);
            Assert.InRange(m.Correlation, -1, 1);
            Assert.Contains(m.Verdict, new[] { "stable", "changed", "new" });
        });
        // One more epoch keeps most first-layer units recognisable: correlations are high there.
        Assert.True(second.Layers[0].Units.Average(u => u.Matches.Count > 0 ? u.Matches[0].Correlation : 0) > 0.5);
        Assert.Empty(manifests.Single(m => m.Version == v1).OtherVersions);

        // The second version's unit page links the matched unit of the first version.
        var unit = second.Layers[0].Units.First(u => u.Matches.Count > 0);
        var page = await File.ReadAllTextAsync(Path.Combine(folder, "site", "watch-demo", v2, second.Layers[0].Name, $"{unit.Index}.html"));
        Assert.Contains($"../../{v1}/{second.Layers[0].Name}/{unit.Matches[0].Unit}.html", page);
        Assert.Contains("Across versions", page);
        var (_, _, broken) = SiteCrawler.Crawl(Path.Combine(folder, "site"));
        Assert.Empty(broken);
    }

    [Fact]
    public async Task A_config_without_a_watch_section_or_with_a_bad_cron_is_one_line_naming_the_field()
    {
        var folder = TestData.NewTempFolder("watch-bad");
        var config = Path.Combine(folder, "config.json");
        var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, data));
        var missing = await InProcessCli.RunAsync("watch", config);
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Contains("watch: the config has no watch section", Assert.Single(missing.ErrorLines));

        await File.WriteAllTextAsync(config, Config(folder, data, schedule: "every day at noon"));
        var cron = await InProcessCli.RunAsync("watch", config);
        Assert.Equal(ExitCodes.BadInput, cron.ExitCode);
        var line = Assert.Single(cron.ErrorLines);
        Assert.Contains("config.json: watch.schedule: 'every day at noon'", line);
        // run and plan ignore the section, but do not pass a config that no watcher could start from.
        foreach (var verb in new[] { "run", "plan" })
        {
            var other = await InProcessCli.RunAsync(verb, config);
            Assert.Equal(ExitCodes.BadInput, other.ExitCode);
            Assert.Contains("config.json: watch.schedule: 'every day at noon'", Assert.Single(other.ErrorLines));
        }

        await File.WriteAllTextAsync(config, Config(folder, data, keep: 0));
        var keep = await InProcessCli.RunAsync("watch", config);
        Assert.Equal(ExitCodes.BadInput, keep.ExitCode);
        Assert.Contains("watch.keepVersions", Assert.Single(keep.ErrorLines));
    }

    [Fact]
    public async Task A_watched_folder_not_there_yet_is_warned_of_by_its_full_path_and_may_be_a_file_uri()
    {
        var folder = TestData.NewTempFolder("watch-missing");
        var config = Path.Combine(folder, "config.json");
        var typo = Path.Combine(folder, "chekpoints");
        await File.WriteAllTextAsync(config, Config(folder, TestData.FashionMnistFolder(), source: new Uri(typo).AbsoluteUri));

        var outcome = await InProcessCli.RunAsync("watch", config, "--once", "--tick", "1");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"watch.source: folder {typo} does not exist yet; checkpoints saved there once it does are taken", outcome.StdErr + outcome.StdOut);
        Assert.False(Directory.Exists(typo), "watching makes no folder");

        await File.WriteAllTextAsync(config, Config(folder, TestData.FashionMnistFolder(), source: "file://trainer-box/checkpoints"));
        var remote = await InProcessCli.RunAsync("watch", config, "--once");
        Assert.Equal(ExitCodes.BadInput, remote.ExitCode);
        Assert.Contains("watch.source: 'file://trainer-box/checkpoints' names the host 'trainer-box'", Assert.Single(remote.ErrorLines));
    }

    [Fact]
    public async Task The_watcher_builds_the_same_job_spec_as_run_and_submit()
    {
        var folder = TestData.NewTempFolder("watch-spec");
        var checkpoints = Directory.CreateDirectory(Path.Combine(folder, "checkpoints")).FullName;
        var checkpoint = Path.Combine(checkpoints, "model.pt");
        File.Copy(await TrainedCheckpoint.GetAsync(), checkpoint);
        var path = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(path, Config(folder, TestData.FashionMnistFolder()));
        var config = AtlasConfigLoader.Load(path);
        var sha = Atlas.Core.Models.ModelLoader.Sha256(checkpoint);

        var prepared = await new CheckpointPreparer(NullLogger<CheckpointPreparer>.Instance).PrepareAsync(
            config, CheckpointSources.Open(config.Watch!.Source), new LocalFolderArtifactStore(config.Output.Store), "model.pt", sha, CancellationToken.None);
        var built = JobSpecBuilder.Build(config with { Model = config.Model with { Checkpoint = checkpoint } });

        Assert.Equal(built.JobId, prepared.Spec.JobId);
        Assert.Equal($"watch-demo/{sha[..12]}", prepared.Spec.JobId);
        Assert.Equal((built.Atlas, built.Version, built.DatasetCount, built.UnitsPerWorkUnit, built.ImagesPerShard, built.StoreLocation),
            (prepared.Spec.Atlas, prepared.Spec.Version, prepared.Spec.DatasetCount, prepared.Spec.UnitsPerWorkUnit, prepared.Spec.ImagesPerShard, prepared.Spec.StoreLocation));
        Assert.Equal(built.Layers, prepared.Spec.Layers);
        // The job reads its own copy of the checkpoint, never the watched file.
        var jobConfig = AtlasConfigLoader.Deserialize(prepared.Spec.ConfigJson);
        Assert.Equal(CheckpointCache.LocalPath(sha, "model.pt"), jobConfig.Model.Checkpoint);
        Assert.Equal(sha, Atlas.Core.Models.ModelLoader.Sha256(jobConfig.Model.Checkpoint));
    }

    private static string Sha12(string path) => Atlas.Core.Models.ModelLoader.Sha256(path)[..12];
}
