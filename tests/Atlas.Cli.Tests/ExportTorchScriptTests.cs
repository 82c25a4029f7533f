using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests;

/// <summary>
/// scripts/export-torchscript.py with a real PyTorch (scripts/test.sh finds or installs one and sets ATLAS_TEST_PYTHON):
/// a network defined in the user's own Python file, its training checkpoint, exported and then made into an atlas
/// with the config section the script prints.
/// </summary>
public class ExportTorchScriptTests
{
    /// <summary>A small residual network whose blocks reuse one in-place ReLU, as torchvision's ResNet does.</summary>
    private const string NetworkSource = """
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.conv = nn.Conv2d(c, c, 3, padding=1)
                self.bn = nn.BatchNorm2d(c)
                self.relu = nn.ReLU(inplace=True)

            def forward(self, x):
                y = self.relu(self.bn(self.conv(x)))
                return self.relu(y + x)

        class Net(nn.Module):
            def __init__(self, classes=10):
                super().__init__()
                self.stem = nn.Conv2d(3, 8, 3, padding=1)
                self.relu = nn.ReLU(inplace=True)
                self.block1 = Block(8)
                self.pool = nn.MaxPool2d(2)
                self.block2 = Block(8)
                self.head = nn.Linear(8, classes)

            def forward(self, x):
                x = self.relu(self.stem(x))
                x = self.block2(self.pool(self.block1(x)))
                return self.head(x.mean((2, 3)))
        """;

    private static string Python() =>
        Environment.GetEnvironmentVariable("ATLAS_TEST_PYTHON") is { Length: > 0 } python ? python
            : throw new InvalidOperationException("ATLAS_TEST_PYTHON is not set: run the tests with `bash scripts/test.sh`, which finds a python3 with torch or installs Debian's python3-torch");

    private static async Task<CliProcess.Outcome> RunPythonAsync(string folder, params string[] args)
    {
        var start = new ProcessStartInfo(Python()) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cancel.Token);
        return new CliProcess.Outcome(process.ExitCode, await stdout, await stderr);
    }

    private static string Script => Path.Combine(TestData.RepoRoot, "scripts", "export-torchscript.py");

    private static async Task<string> NetworkFolderAsync(string name)
    {
        var folder = TestData.NewTempFolder(name);
        await File.WriteAllTextAsync(Path.Combine(folder, "mynet.py"), NetworkSource);
        return folder;
    }

    [Fact]
    public async Task A_network_from_the_users_own_file_is_exported_and_its_printed_config_makes_an_atlas()
    {
        var folder = await NetworkFolderAsync("export");
        var saved = await RunPythonAsync(folder, "-c",
            "import torch, mynet; torch.manual_seed(3); torch.save({'epoch': 5, 'model_state_dict': mynet.Net(classes=4).state_dict()}, 'ckpt.pth')");
        Assert.True(saved.ExitCode == 0, saved.ToString());

        var export = await RunPythonAsync(folder, Script, "mynet:Net", "--kwargs", "{\"classes\": 4}", "--weights", "ckpt.pth",
            "--outputs", "stem,block1,block2.bn,block2", "--final-name", "head", "--input-size", "32", "--out", "net-atlas.pt",
            "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25");

        Assert.True(export.ExitCode == 0, export.ToString());
        var model = JsonNode.Parse(export.StdOut)!["model"]!.AsObject();
        Assert.Equal(["stem", "block1", "block2.bn", "block2", "head"], model["outputs"]!.AsArray().Select(n => n!.GetValue<string>()));
        await TestData.WriteColourImagesAsync(folder);
        var config = new JsonObject
        {
            ["name"] = "mynet",
            ["model"] = model.DeepClone(),
            ["dataset"] = new JsonObject { ["kind"] = "image-folder", ["path"] = "images" },
            ["maxUnitsPerLayer"] = 2,
            ["featureVis"] = new JsonObject { ["steps"] = 4, ["channelsPerUnit"] = 2, ["diversity"] = false },
            ["examples"] = new JsonObject { ["topK"] = 3, ["imagesPerShard"] = 5 },
            ["output"] = new JsonObject { ["store"] = "store", ["site"] = "site" },
        };
        var configPath = Path.Combine(folder, "atlas.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());

        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", configPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifest = (await store.GetJsonAsync<AtlasManifest>(await store.ListAsync("").FirstAsync(AtlasKeys.IsManifestKey)))!;
        Assert.Equal(["stem", "block1", "block2.bn", "block2", "head"], manifest.Layers.Select(l => l.Name));
        // The archive keeps the network's parameter names, so layers named after modules find their weights.
        Assert.NotNull(manifest.Layers[0].WeightsKey);
        Assert.NotNull(manifest.Layers[^1].Stats!.WeightStd);
        // block2.bn is returned as the batch norm computed it, before the in-place ReLU after it: it has negative values.
        Assert.True(manifest.Layers[2].Stats!.FractionNonPositive > 0.05, $"block2.bn: {manifest.Layers[2].Stats!.FractionNonPositive:P1} of activations ≤ 0");
        // The traced archive still computes the logits from the returned block2, so Grad-CAM explains them there.
        Assert.All(manifest.Layers[^1].Units, unit => Assert.All(unit.TopExamples, e => Assert.NotNull(e.HeatmapKey)));
    }

    [Fact]
    public async Task A_layers_value_before_its_ReLU_is_exported_as_its_pre_activation_and_is_no_layer_of_the_plan()
    {
        var folder = await NetworkFolderAsync("export-pre");

        var export = await RunPythonAsync(folder, Script, "mynet:Net", "--outputs", "relu,block1", "--pre-activations", "relu=stem",
            "--final-name", "head", "--input-size", "32", "--out", "net-atlas.pt");

        Assert.True(export.ExitCode == 0, export.ToString());
        var model = JsonNode.Parse(export.StdOut)!["model"]!.AsObject();
        Assert.Equal(["relu", "block1", "stem", "head"], model["outputs"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("stem", model["preActivations"]!["relu"]!.GetValue<string>());
        await TestData.WriteColourImagesAsync(folder);
        var config = new JsonObject
        {
            ["name"] = "mynet-pre",
            ["model"] = model.DeepClone(),
            ["dataset"] = new JsonObject { ["kind"] = "image-folder", ["path"] = "images" },
            ["output"] = new JsonObject { ["store"] = "store", ["site"] = "site" },
        };
        var configPath = Path.Combine(folder, "atlas.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());

        var plan = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "plan", configPath);

        Assert.True(plan.ExitCode == 0, plan.ToString());
        var layers = plan.StdOut.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length == 5 && cells[0] != "layer").Select(cells => cells[0]).ToList();
        Assert.Equal(["relu", "block1", "head"], layers);
    }

    [Fact]
    public async Task A_module_that_runs_twice_per_forward_is_refused_naming_it()
    {
        var folder = await NetworkFolderAsync("export-twice");

        var export = await RunPythonAsync(folder, Script, "mynet:Net", "--outputs", "block1.relu", "--input-size", "32", "--out", "x.pt");

        Assert.Equal(2, export.ExitCode);
        Assert.Equal("error: --outputs: module 'block1.relu' runs 2 times per forward, so its output is ambiguous; name the block around it", export.StdErr.Trim());
        Assert.False(File.Exists(Path.Combine(folder, "x.pt")));
    }
}
