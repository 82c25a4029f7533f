using System.Text.Json;
using Atlas.Cli.Commands;
using Atlas.Cli.Tests.Analysis;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests;

/// <summary>
/// A network the zoo does not have, brought as a TorchScript archive that PyTorch wrote
/// (tests/fixtures/torchscript/tiny-cnn.pt: forward returns conv1, conv2 and the logits), with a colour image folder.
/// </summary>
public class TorchScriptRunTests
{
    /// <summary>Two classes of 40-px colour images and a config that reads the fixture.</summary>
    private static async Task<string> SetupAsync(string folder, string outputs = "\"conv1\", \"conv2\", \"logits\"", string fixture = "tiny-cnn.pt")
    {
        await TestData.WriteColourImagesAsync(folder);
        var config = Path.Combine(folder, "atlas.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "name": "own-cnn",
              "model": { "architecture": "torchscript", "checkpoint": {{JsonSerializer.Serialize(TestData.TorchScriptFixture(fixture))}}, "inputSize": 32,
                         "outputs": [{{outputs}}], "mean": [0.5, 0.4, 0.3], "std": [0.25, 0.2, 0.3] },
              "dataset": { "kind": "image-folder", "path": "images" },
              "maxUnitsPerLayer": 3,
              "featureVis": { "steps": 4, "channelsPerUnit": 3, "diversity": false },
              "examples": { "topK": 4, "imagesPerShard": 5 },
              "output": { "store": "store", "site": "site" }
            }
            """);
        return config;
    }

    [Fact]
    public async Task Every_output_of_the_forward_becomes_a_layer_with_pictures_examples_weights_and_grad_cam()
    {
        var folder = TestData.NewTempFolder("torchscript");
        var config = await SetupAsync(folder);

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", config);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifest = (await store.GetJsonAsync<AtlasManifest>(await store.ListAsync("").FirstAsync(AtlasKeys.IsManifestKey)))!;
        Assert.Equal(("torchscript", "tiny-cnn.pt", 3, 32), (manifest.Model.Architecture, manifest.Model.CheckpointFile, manifest.Model.InputChannels, manifest.Model.InputHeight));
        Assert.Equal(["conv1", "conv2", "logits"], manifest.Layers.Select(l => l.Name));
        Assert.Equal([(8, 32), (16, 16), (10, 1)], manifest.Layers.Select(l => (l.Channels, l.Height)));
        foreach (var layer in manifest.Layers)
        {
            Assert.Equal(3, layer.Units.Count);
            Assert.All(layer.Units, unit =>
            {
                Assert.True(File.Exists(Path.Combine(folder, "store", unit.VisKey)), $"{layer.Name}:{unit.Index} has its picture");
                Assert.Equal(4, unit.TopExamples.Count);
            });
        }
        // The module that computes conv1 is called conv1 and reads the image: its filters are shown.
        Assert.NotNull(manifest.Layers[0].WeightsKey);
        // The logits' top images get Grad-CAM overlays, taken at the last spatial output.
        Assert.All(manifest.Layers[2].Units, unit => Assert.All(unit.TopExamples, e => Assert.NotNull(e.HeatmapKey)));
        Assert.True(File.Exists(Path.Combine(folder, "site", "index.html")));
    }

    [Fact]
    public async Task Pictures_rendered_through_the_archives_early_stops_are_those_the_whole_forward_gives()
    {
        var whole = TestData.NewTempFolder("torchscript-whole");
        var stopped = TestData.NewTempFolder("torchscript-stops");

        var outcomes = await Task.WhenAll(
            CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", await SetupAsync(whole)),
            CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", await SetupAsync(stopped, fixture: "tiny-cnn-stops.pt")));

        Assert.All(outcomes, outcome => Assert.True(outcome.ExitCode == 0, outcome.ToString()));
        Assert.Contains("torchscript: no early stops", outcomes[0].ToString());
        Assert.Contains("torchscript: 2 early stops", outcomes[1].ToString());
        var pictures = await Task.WhenAll(PicturesAsync(whole), PicturesAsync(stopped));
        Assert.Equal(6, pictures[1].Count(p => !p.Key.StartsWith("logits", StringComparison.Ordinal)));
        foreach (var (unit, bytes) in pictures[1])
            Assert.True(bytes.AsSpan().SequenceEqual(pictures[0][unit]), $"{unit}: the picture rendered through a stop differs");
    }

    /// <summary>Every unit's feature-visualization PNG in the folder's store, by "layer:unit".</summary>
    private static async Task<Dictionary<string, byte[]>> PicturesAsync(string folder)
    {
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifest = (await store.GetJsonAsync<AtlasManifest>(await store.ListAsync("").FirstAsync(AtlasKeys.IsManifestKey)))!;
        var pictures = new Dictionary<string, byte[]>();
        foreach (var layer in manifest.Layers)
            foreach (var unit in layer.Units)
                pictures[$"{layer.Name}:{unit.Index}"] = await File.ReadAllBytesAsync(Path.Combine(folder, "store", unit.VisKey));
        return pictures;
    }

    [Fact]
    public async Task A_config_naming_fewer_outputs_than_the_forward_returns_is_refused_before_anything_is_written()
    {
        var folder = TestData.NewTempFolder("torchscript-bad");
        var config = await SetupAsync(folder, outputs: "\"conv1\", \"logits\"");

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var errors = outcome.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"error: {config}: model.outputs: names 2 outputs (conv1, logits), but tiny-cnn.pt's forward returns 3 tensors"], errors);
        Assert.False(Directory.Exists(Path.Combine(folder, "site")), "nothing is published");
        Assert.False(Directory.Exists(Path.Combine(folder, "store")) && Directory.EnumerateFileSystemEntries(Path.Combine(folder, "store")).Any(), "nothing is stored");
    }

    [Fact]
    public async Task Explain_takes_the_TorchScript_model_from_its_config()
    {
        var folder = TestData.NewTempFolder("torchscript-explain");
        var config = await SetupAsync(folder);
        var output = Path.Combine(folder, "out");

        var outcome = await InProcessCli.RunAsync("explain", "--model", config, "--image", Path.Combine(folder, "images", "red", "0.png"),
            "--layer", "conv2", "--class", "4", "--out", output);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, ExplainCommand.JsonFile)));
        Assert.Equal("torchscript", json.RootElement.GetProperty("model").GetString());
        Assert.Equal(16, json.RootElement.GetProperty("heatmap").GetArrayLength());

        var byName = await InProcessCli.RunAsync("explain", "--model", "torchscript", "--weights", TestData.TorchScriptFixture("tiny-cnn.pt"),
            "--image", Path.Combine(folder, "images", "red", "0.png"), "--layer", "conv2", "--out", output);
        Assert.Equal(2, byName.ExitCode);
        Assert.Equal(["error: --model: a torchscript model is described by an atlas config (model.outputs, model.inputSize); pass the config file"], byName.ErrorLines);
    }
}
