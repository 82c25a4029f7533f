using System.Text.Json;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests;

/// <summary>The README's main command on a reduced config: real data, a freshly trained model, the embedded silo, the site.</summary>
public class EndToEndTests
{
    public static string ReducedConfig(string folder, string dataFolder, string? layers = null, string? checkpoint = null) =>
        $$"""
        {
          "name": "e2e-demo",
          "title": "End-to-end demo",
          "model": {
            "architecture": "demo-cnn",
            "checkpoint": {{JsonSerializer.Serialize(checkpoint ?? Path.Combine(folder, "model.pt"))}},
            "train": { "epochs": 1, "batchSize": 64, "maxImages": 1500, "seed": 3 }
          },
          "dataset": { "kind": "fashion-mnist", "path": {{JsonSerializer.Serialize(dataFolder)}}, "split": "test", "limit": 240 },
          {{(layers is null ? "" : $"\"layers\": {layers},")}}
          "maxUnitsPerLayer": 5,
          "featureVis": { "steps": 4, "channelsPerUnit": 3 },
          "examples": { "topK": 9, "batchSize": 64, "imagesPerShard": 100 },
          "output": { "store": "store", "site": "site" }
        }
        """;

    [Fact]
    public async Task Run_trains_computes_and_publishes_a_site_whose_every_link_and_image_exists()
    {
        var folder = TestData.NewTempFolder("e2e");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, ReducedConfig(folder, TestData.FashionMnistFolder()));

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(File.Exists(Path.Combine(folder, "model.pt")), "the missing checkpoint was trained and saved");
        var site = Path.Combine(folder, "site");
        var (pages, files, broken) = SiteCrawler.Crawl(site);
        Assert.Empty(broken);
        // index, model page, 4 layer pages and 5 + 5 + 5 + 5 unit pages (maxUnitsPerLayer 5), plus images.
        Assert.True(pages >= 1 + 1 + 4 + 20, $"only {pages} pages reachable");
        Assert.True(files > pages, "images are linked");

        var manifest = await ReadManifestAsync(folder);
        Assert.Equal(["conv1", "conv2", "conv3", "logits"], manifest.Layers.Select(l => l.Name));
        Assert.All(manifest.Layers, layer =>
        {
            Assert.Equal(5, layer.Units.Count);
            Assert.All(layer.Units, unit => Assert.Equal(9, unit.TopExamples.Count));
        });
        Assert.Equal("Trouser", manifest.Layers[^1].Units[1].Label);

        // Redirected output follows the job through its log, in order: every phase's line, then the job's end, once.
        var lines = outcome.StdErr.Split('\n');
        int completed = Array.FindIndex(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"Job \S+ completed$"));
        Assert.True(completed > Array.FindLastIndex(lines, l => l.Contains("Phase ") && l.Contains(" done: ")), outcome.StdErr);
        // Feature vis of the 4 layers, dataset examples, analysis, manifest.
        Assert.Equal(7, lines.Count(l => l.Contains("Phase ") && l.Contains(" done: ")));
        Assert.Single(lines, l => l.Contains("Job ") && l.Contains("ompleted"));
        Assert.DoesNotContain(" planned ", outcome.StdErr);
        // Standard output is the result alone: no progress bar's leftovers (training's used to stay behind at "6%").
        var printed = outcome.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(printed.Length == 1 && printed[0].StartsWith("Published 1 atlas version(s)", StringComparison.Ordinal), outcome.StdOut);
        Assert.Contains("Demo model epoch 1/1 done", outcome.StdErr);
        // The silo's framework keeps to errors at the normal level: its start-up and configuration lines are not the user's.
        Assert.DoesNotContain("Orleans", outcome.StdErr);
    }

    [Fact]
    public async Task A_bfloat16_run_split_into_small_optimisations_still_gives_every_unit_all_its_pictures_and_examples()
    {
        var folder = TestData.NewTempFolder("e2e-bf16");
        var config = Path.Combine(folder, "config.json");
        // maxBatch 2 is smaller than one unit's 7 pictures (a diversity group stays whole), so every
        // work unit of 3 channels runs as 3 optimisations, each in a bfloat16 copy of the network.
        await File.WriteAllTextAsync(config, ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv2\", \"logits\"]")
            .Replace("\"featureVis\": {", "\"featureVis\": { \"precision\": \"bfloat16\", \"maxBatch\": 2,")
            .Replace("\"examples\": {", "\"examples\": { \"precision\": \"bfloat16\","));

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var manifest = await ReadManifestAsync(folder);
        var conv2 = manifest.Layers.Single(l => l.Name == "conv2");
        Assert.Equal(5, conv2.Units.Count);
        Assert.All(conv2.Units, unit =>
        {
            Assert.Equal(9, unit.TopExamples.Count); // from a bfloat16 dataset pass
            // channel, negative, neuron and 4 diversity pictures, each stored
            Assert.Equal(7, unit.Visualizations.Count);
            Assert.All(unit.Visualizations, v => Assert.True(File.Exists(Path.Combine(folder, "store", v.Key)), $"{v.Key} is missing"));
        });
    }

    [Fact]
    public async Task Two_workers_in_one_silo_share_the_device_and_every_unit_still_gets_all_its_results()
    {
        // A GPU silo runs two worker loops by default (one computes while the other stores); ATLAS_WORKERS
        // forces the same on the CPU, so the shared model cache and device gate are exercised here.
        var folder = TestData.NewTempFolder("e2e-workers");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, ReducedConfig(folder, TestData.FashionMnistFolder()));

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), new Dictionary<string, string> { ["ATLAS_WORKERS"] = "2" }, "run", config, "--verbosity", "debug");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Matches(@"Worker \S+/0 started", outcome.StdErr);
        Assert.Matches(@"Worker \S+/1 started", outcome.StdErr);
        var manifest = await ReadManifestAsync(folder);
        Assert.Equal(["conv1", "conv2", "conv3", "logits"], manifest.Layers.Select(l => l.Name));
        Assert.All(manifest.Layers, layer =>
        {
            Assert.Equal(5, layer.Units.Count);
            Assert.All(layer.Units, unit =>
            {
                Assert.Equal(9, unit.TopExamples.Count);
                // spatial units: channel, negative, neuron and 4 diversity pictures; class units: no neuron picture
                Assert.Equal(layer.Name == "logits" ? 6 : 7, unit.Visualizations.Count);
                Assert.All(unit.Visualizations, v => Assert.True(File.Exists(Path.Combine(folder, "store", v.Key)), $"{v.Key} is missing"));
            });
        });
    }

    /// <summary>
    /// A finished `atlas run` of the trained demo checkpoint with conv1 alone (seconds): the starting point of tests of
    /// what later runs, plans and publishes do with a stored atlas.
    /// </summary>
    public static async Task<(string Folder, string Config, CliProcess.Outcome Outcome)> FinishedConv1RunAsync(string name)
    {
        var folder = TestData.NewTempFolder(name);
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv1\"]",
            checkpoint: await TrainedCheckpoint.GetAsync()));
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        return (folder, config, outcome);
    }

    /// <summary>The atlas manifest a run wrote into its config folder's store.</summary>
    public static async Task<AtlasManifest> ReadManifestAsync(string folder)
    {
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifestKey = await store.ListAsync("").FirstAsync(AtlasKeys.IsManifestKey);
        return (await store.GetJsonAsync<AtlasManifest>(manifestKey))!;
    }
}
