using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Core.Analysis;
using Atlas.Core.Models;
using Atlas.Core.Models.TorchScript;
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
    /// <summary>A small residual network whose blocks reuse one in-place ReLU, as torchvision's ResNet does, and a module forward never calls.</summary>
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
                self.spare = nn.Conv2d(8, 8, 1)  # never called by forward

            def forward(self, x):
                x = self.relu(self.stem(x))
                x = self.block2(self.pool(self.block1(x)))
                return self.head(x.mean((2, 3)))
        """;

    private static Task<CliProcess.Outcome> RunPythonAsync(string folder, params string[] args) => PythonProcess.RunAsync(folder, args);

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
        // The blocks end in a ReLU and have no value before it named: the script warns that dead units' pictures stay
        // flat. stem (a convolution) and block2.bn (a batch norm) have negative values, so they draw no warning.
        var warned = export.StdErr.Split('\n').Where(l => l.StartsWith("warning: --outputs:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["block1", "block2"], warned.Select(l => l.Split('\'')[1]));
        Assert.All(warned, l => Assert.Contains("has no value below 0 on random images, as after a ReLU", l));
        Assert.All(warned, l => Assert.Contains("--pre-activations", l));
        // The archive's full path: the printed section works in a config saved in any folder.
        Assert.Equal(Path.Combine(folder, "net-atlas.pt"), model["checkpoint"]!.GetValue<string>());
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
        // The archive's linearized paths give circuits: block1's units read the stem's through the in-place ReLUs.
        Assert.All(manifest.Layers[1].Units, unit => Assert.Contains(unit.Inputs, link => link.Layer == "stem"));
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
        var rows = plan.StdOut.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length == 6 && cells[0] is not ("layer" or "")).ToList();
        Assert.Equal(["relu", "block1", "head"], rows.Select(cells => cells[0]));
        // The plan checks the archive's linearized paths as the analysis will: each layer after the first gets expanded weights.
        Assert.Equal(["—", "expanded", "expanded"], rows.Select(cells => cells[5]));
    }

    [Fact]
    public async Task The_archive_stops_after_each_named_module_so_an_early_layer_skips_the_rest_and_gets_forwards_values()
    {
        var folder = await NetworkFolderAsync("export-stops");
        var saved = await RunPythonAsync(folder, "-c", "import torch, mynet; torch.manual_seed(5); torch.save(mynet.Net().state_dict(), 'net.pth')");
        Assert.True(saved.ExitCode == 0, saved.ToString());

        // Named out of forward order, with a pre-activation: a stop returns what the forward has reached by then.
        string[] arguments = [Script, "mynet:Net", "--weights", "net.pth", "--outputs", "block2,relu,block1", "--pre-activations", "relu=stem",
            "--final-name", "head", "--input-size", "32"];
        var export = await RunPythonAsync(folder, [.. arguments, "--out", "stops.pt"]);
        var plain = await RunPythonAsync(folder, [.. arguments, "--out", "plain.pt", "--no-stops"]);

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.True(plain.ExitCode == 0, plain.ToString());
        var config = PrintedModel(export, Path.Combine(folder, "stops.pt"));
        using var model = (TorchScriptModel)ModelLoader.Load(config, []);
        using var withoutStops = (TorchScriptModel)ModelLoader.Load(config with { Checkpoint = Path.Combine(folder, "plain.pt") }, []);
        // outputs: block2 (0), relu (1), block1 (2), stem (3), head (4); the forward reaches stem, relu, block1, block2.
        Assert.Equal([[3], [1, 3], [1, 2, 3], [0, 1, 2, 3]], ReadStops(Path.Combine(folder, "stops.pt")));
        Assert.Equal("atlas_upto_0", model.StopFor(["relu"], preActivation: true)?.Method);
        Assert.Equal("atlas_upto_1", model.StopFor(["relu"])?.Method);
        Assert.Equal("atlas_upto_2", model.StopFor(["block1", "relu"])?.Method);
        Assert.Equal("atlas_upto_3", model.StopFor(["block2"])?.Method);
        Assert.Null(model.StopFor(["head"]));
        Assert.Null(withoutStops.StopFor(["relu"]));
        using var noGrad = TorchSharp.torch.no_grad();
        var pixels = TorchSharp.torch.rand(2, 3, 32, 32);
        foreach (var layer in new[] { "relu", "block1", "block2" })
        {
            using var early = model.Activations(pixels, [layer])[layer];
            using var whole = withoutStops.Activations(pixels, [layer])[layer];
            Assert.True(early.allclose(whole, rtol: 1e-5, atol: 1e-6), $"{layer}: the stop's value differs from the whole forward's");
        }
    }

    /// <summary>Four convolutions, each followed by a batch norm: one that reads nothing else, one whose input an
    /// in-place ReLU changes first, one whose convolution's output is read again after it, and torchvision's frozen
    /// batch norm (detection backbones') that reads nothing else.</summary>
    private const string BatchNormNetworkSource = """
        import torch.nn as nn
        from torchvision.ops.misc import FrozenBatchNorm2d

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
                self.bn1 = nn.BatchNorm2d(8)
                self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
                self.bn2 = nn.BatchNorm2d(8)
                self.conv3 = nn.Conv2d(8, 8, 3, padding=1)
                self.bn3 = nn.BatchNorm2d(8)
                self.conv4 = nn.Conv2d(8, 8, 1)
                self.bn4 = FrozenBatchNorm2d(8)
                self.head = nn.Linear(8, 4)

            def forward(self, x):
                x = self.bn1(self.conv1(x)).relu()
                y = self.conv2(x)
                y.relu_()
                x = self.bn2(y)
                z = self.conv3(x)
                x = self.bn4(self.conv4(self.bn3(z) + z))
                return self.head(x.mean((2, 3)))
        """;

    [Fact]
    public async Task Batch_norms_are_folded_into_their_convolutions_where_that_leaves_every_output_as_it_was()
    {
        var folder = TestData.NewTempFolder("export-batchnorm");
        await File.WriteAllTextAsync(Path.Combine(folder, "bnnet.py"), BatchNormNetworkSource);
        // Running statistics far from a fresh network's (mean 0, variance 1), so that folding changes the weights.
        var saved = await RunPythonAsync(folder, "-c", """
            import torch, bnnet
            torch.manual_seed(2)
            net = bnnet.Net()
            for bn in (net.bn1, net.bn2, net.bn3, net.bn4):
                bn.running_mean.uniform_(-1, 1); bn.running_var.uniform_(0.25, 4); bn.weight.data.uniform_(0.5, 2); bn.bias.data.uniform_(-1, 1)
            torch.save(net.state_dict(), 'net.pth')
            """);
        Assert.True(saved.ExitCode == 0, saved.ToString());
        string[] arguments = [Script, "bnnet:Net", "--weights", "net.pth", "--outputs", "head", "--no-final", "--input-size", "16"];

        var folded = await RunPythonAsync(folder, [.. arguments, "--out", "folded.pt"]);
        var kept = await RunPythonAsync(folder, [.. arguments, "--out", "kept.pt", "--keep-batchnorm"]);

        Assert.True(folded.ExitCode == 0, folded.ToString());
        Assert.True(kept.ExitCode == 0, kept.ToString());
        Assert.Equal(
            ["warning: kept bn2, bn3 as batch norms: folded into the convolution before, the network's outputs would change (an in-place operation, or another reader, between them)",
             "folded 2 batch norms into the convolutions before them (--keep-batchnorm keeps them)"],
            folded.StdErr.Trim().Split('\n'));
        Assert.Equal("", kept.StdErr.Trim());
        var config = PrintedModel(folded, Path.Combine(folder, "folded.pt"));
        using var foldedModel = ModelLoader.Load(config, []);
        using var keptModel = ModelLoader.Load(config with { Checkpoint = Path.Combine(folder, "kept.pt") }, []);
        var foldedState = foldedModel.Network.state_dict().Keys;
        Assert.DoesNotContain("bn1.running_mean", foldedState);
        Assert.Contains("conv1.bias", foldedState);
        Assert.Contains("bn2.running_mean", foldedState);
        Assert.Contains("bn3.running_mean", foldedState);
        Assert.DoesNotContain("bn4.running_mean", foldedState);
        Assert.Contains("bn1.running_mean", keptModel.Network.state_dict().Keys);
        using var noGrad = TorchSharp.torch.no_grad();
        var pixels = TorchSharp.torch.rand(4, 3, 16, 16);
        using var withFolding = foldedModel.Activations(pixels, ["head"])["head"];
        using var withBatchNorm = keptModel.Activations(pixels, ["head"])["head"];
        Assert.True(withFolding.allclose(withBatchNorm, rtol: 1e-4, atol: 1e-5), "the folded archive's logits differ from the network's");
    }

    [Theory]
    // MobileNetV2: the zoo names features.0 conv0 and features.N blockN; between them lie ReLU6 modules (in place)
    // and depthwise convolutions.
    [InlineData("mobilenet_v2", "features.0,features.1,features.2", "classifier", "conv0,block1,block2")]
    // MobileNetV3 Small: Hardswish modules, and squeeze-and-excitation blocks whose gates both sides count as 1.
    [InlineData("mobilenet_v3_small", "features.0,features.1,features.2,features.4", "classifier", "conv0,block1,block2,block4")]
    // ResNet-18: Python's blocks call one ReLU module for all their ReLUs, the zoo's (TorchSharp's blocks rebuilt)
    // one module each; the stem runs through the max-pool, linearized as an average pool on both sides.
    [InlineData("resnet18", "relu,layer1,layer2", "fc", "conv1,layer1,layer2")]
    public async Task Circuits_of_an_exported_torchvision_network_equal_the_zoo_models_from_the_same_weights(string network, string outputs, string final, string zooLayers)
    {
        // Both networks' every ReLU is a module in both TorchVisions, so both sides linearize them.
        var folder = TestData.NewTempFolder("export-circuits");
        var saved = await RunPythonAsync(folder, "-c",
            $"import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.{network}().state_dict(), 'net.pth')");
        Assert.True(saved.ExitCode == 0, saved.ToString());
        var export = await RunPythonAsync(folder, Script, $"torchvision.models:{network}", "--weights", "net.pth",
            "--outputs", outputs, "--final-name", final, "--input-size", "224", "--out", "net-atlas.pt");
        Assert.True(export.ExitCode == 0, export.ToString());
        var config = PrintedModel(export, Path.Combine(folder, "net-atlas.pt"));

        using var scripted = ModelLoader.Load(config, []);
        using var zoo = ModelLoader.Load(network, Path.Combine(folder, "net.pth"), []);
        var scriptedLayers = LayerCatalog.Measure(scripted).ToDictionary(l => l.Name);
        var zooCatalog = LayerCatalog.Measure(zoo).ToDictionary(l => l.Name);

        var names = outputs.Split(',');
        var zooNames = zooLayers.Split(',');
        for (int pair = 0; pair + 1 < names.Length; pair++)
        {
            var (from, zooFrom, to, zooTo) = (names[pair], zooNames[pair], names[pair + 1], zooNames[pair + 1]);
            var expected = CircuitAnalysis.Connect(LayerProbes.For(zoo), zooCatalog[zooFrom], zooCatalog[zooTo], topK: 4, out var zooReason, toUnits: 6);
            var actual = CircuitAnalysis.Connect(LayerProbes.For(scripted), scriptedLayers[from], scriptedLayers[to], topK: 4, out var reason, toUnits: 6);

            Assert.True(expected is not null, zooReason);
            Assert.True(actual is not null, reason);
            Assert.Equal(ConnectionMethod.Expanded, actual.Method);
            Assert.Equal((expected.KernelHeight, expected.KernelWidth), (actual.KernelHeight, actual.KernelWidth));
            for (int unit = 0; unit < 6; unit++)
            {
                Assert.Equal(expected.InputsOf(unit).Select(e => e.Unit), actual.InputsOf(unit).Select(e => e.Unit));
                foreach (var edge in expected.InputsOf(unit))
                    Assert.True(Math.Abs(actual.Strength(unit, edge.Unit) - edge.Weight) <= 1e-3f * Math.Abs(edge.Weight) + 1e-6f,
                        $"{from}→{to} unit {unit} from {edge.Unit}: {actual.Strength(unit, edge.Unit)} against the zoo's {edge.Weight}");
            }
        }
    }

    /// <summary>
    /// A network written the way many are: every ReLU and max-pool a function call, in four spellings. The spellings
    /// are attributes of torch and F (torch.relu), or names imported before the export script runs (relu), which the
    /// forward finds in its own module's globals.
    /// </summary>
    private static string FunctionalNetworkSource(bool importedNames) => $$"""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import max_pool2d as pool, relu as trelu
        from torch.nn.functional import max_pool2d, relu

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
                self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
                self.conv3 = nn.Conv2d(8, 8, 3, padding=1)
                self.head = nn.Linear(8, 10)

            def forward(self, x):
                x = self.conv2({{(importedNames ? "relu" : "F.relu")}}(self.conv1(x)))
                x = self.conv3({{(importedNames ? "pool" : "torch.max_pool2d")}}(x.relu_(), 2))
                return self.head({{(importedNames ? "max_pool2d" : "F.max_pool2d")}}({{(importedNames ? "trelu" : "torch.relu")}}(x), 2).mean((2, 3)))
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Functional_ReLUs_and_max_pools_are_linearized_too_so_expanded_weights_are_the_kernels_between(bool importedNames)
    {
        var folder = TestData.NewTempFolder("export-functional");
        await File.WriteAllTextAsync(Path.Combine(folder, "funcnet.py"), FunctionalNetworkSource(importedNames));
        var export = await RunPythonAsync(folder, Script, "funcnet:Net", "--outputs", "conv1,conv2,conv3", "--final-name", "head",
            "--input-size", "16", "--out", "func-atlas.pt");
        Assert.True(export.ExitCode == 0, export.ToString());

        using var scripted = ModelLoader.Load(PrintedModel(export, Path.Combine(folder, "func-atlas.pt")), []);
        var probe = LayerProbes.For(scripted);
        var layers = LayerCatalog.Measure(scripted).ToDictionary(l => l.Name);
        var weights = scripted.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        var conv1To2 = CircuitAnalysis.Connect(probe, layers["conv1"], layers["conv2"], topK: 4, out var reason12);
        var conv2To3 = CircuitAnalysis.Connect(probe, layers["conv2"], layers["conv3"], topK: 4, out var reason23);
        Assert.True(conv1To2 is not null, reason12);
        Assert.True(conv2To3 is not null, reason23);
        Assert.NotNull(CircuitAnalysis.Connect(probe, layers["conv3"], layers["head"], topK: 4, out var reasonHead));

        // F.relu as the identity: conv2 reads conv1 through its own 3×3 kernels.
        Assert.Equal((3, 3), (conv1To2!.KernelHeight, conv1To2.KernelWidth));
        // x.relu_() as the identity and torch.max_pool2d as a 2×2 average: each weight of conv3 spreads over 2×2, a quarter each.
        Assert.Equal((6, 6), (conv2To3!.KernelHeight, conv2To3.KernelWidth));
        for (int to = 0; to < 8; to++)
            for (int from = 0; from < 8; from++)
            {
                var direct = weights["conv2.weight"][to, from].data<float>().ToArray();
                Assert.Equal(direct, conv1To2.Kernel(to, from).SelectMany(row => row), (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
                var pooled = weights["conv3.weight"][to, from].repeat_interleave(2, 0).repeat_interleave(2, 1).div(4).data<float>().ToArray();
                Assert.Equal(pooled, conv2To3.Kernel(to, from).SelectMany(row => row), (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
            }
    }

    /// <summary>The config's model section the export script printed, with the archive's full path.</summary>
    private static Atlas.Core.Configuration.ModelConfig PrintedModel(CliProcess.Outcome export, string archive) =>
        JsonSerializer.Deserialize<Atlas.Core.Configuration.ModelConfig>(JsonNode.Parse(export.StdOut)!["model"]!.ToJsonString(),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))! with { Checkpoint = archive };

    /// <summary>The outputs each early stop returns, as the archive's atlas.json lists them.</summary>
    private static List<int[]> ReadStops(string archive)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(archive);
        using var atlasJson = TorchScriptArchive.AtlasJson(zip, archive);
        return [.. TorchScriptStops.Read(atlasJson, archive, 5).All.Select(stop => stop.Outputs.ToArray())];
    }

    [Fact]
    public async Task Weights_saved_inside_a_trainers_module_are_found_under_their_prefix_and_two_whole_networks_are_refused()
    {
        var folder = await NetworkFolderAsync("export-prefixed");
        // A Lightning-style checkpoint: the network under "model." beside the loss's class weights, and one with an EMA
        // copy as well.
        var saved = await RunPythonAsync(folder, "-c", """
            import torch, mynet
            torch.manual_seed(3)
            class Trainer(torch.nn.Module):
                def __init__(self, ema):
                    super().__init__()
                    self.model = mynet.Net(classes=4)
                    self.criterion = torch.nn.CrossEntropyLoss(weight=torch.rand(4))
                    if ema: self.ema = mynet.Net(classes=4)
            trainer = Trainer(ema=False)
            torch.save(trainer.model.state_dict(), "plain.pth")
            torch.save({"epoch": 2, "state_dict": trainer.state_dict()}, "lightning.ckpt")
            with_ema = Trainer(ema=True)
            torch.save({"state_dict": with_ema.state_dict()}, "ema.ckpt")
            torch.save(with_ema.model.state_dict(), "ema-model.pth")
            """);
        Assert.True(saved.ExitCode == 0, saved.ToString());
        string[] common = ["mynet:Net", "--kwargs", "{\"classes\": 4}", "--outputs", "stem,block1", "--final-name", "head", "--input-size", "16"];

        var plain = await RunPythonAsync(folder, [Script, .. common, "--weights", "plain.pth", "--out", "plain.pt"]);
        var prefixed = await RunPythonAsync(folder, [Script, .. common, "--weights", "lightning.ckpt", "--out", "prefixed.pt"]);
        var ambiguous = await RunPythonAsync(folder, [Script, .. common, "--weights", "ema.ckpt", "--out", "ema.pt"]);
        var named = await RunPythonAsync(folder, [Script, .. common, "--weights", "ema.ckpt", "--weights-prefix", "model.", "--out", "named.pt"]);
        var direct = await RunPythonAsync(folder, [Script, .. common, "--weights", "ema-model.pth", "--out", "direct.pt"]);

        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.True(prefixed.ExitCode == 0, prefixed.ToString());
        Assert.Contains("note: loaded the weights under 'model.'; left out 1 key outside it (criterion.weight)", prefixed.StdErr);
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Equal("error: --weights: 'ema.ckpt' holds the whole network under 2 prefixes ('ema.', 'model.'), so which to load is ambiguous; name one with --weights-prefix",
            ambiguous.StdErr.Trim());
        Assert.False(File.Exists(Path.Combine(folder, "ema.pt")));
        Assert.True(named.ExitCode == 0, named.ToString());
        Assert.True(direct.ExitCode == 0, direct.ToString());
        // The archives' weights: the Lightning checkpoint's are the plain file's, and the named prefix's are that network's.
        var same = await RunPythonAsync(folder, "-c", """
            import torch
            def same(a, b):
                a, b = torch.jit.load(a).state_dict(), torch.jit.load(b).state_dict()
                return len(a) > 0 and a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
            print(same("plain.pt", "prefixed.pt"), same("direct.pt", "named.pt"), same("plain.pt", "named.pt"))
            """);
        Assert.Equal("True True False", same.StdOut.Trim());

        await File.WriteAllTextAsync(Path.Combine(folder, "notes.pth"), "not a checkpoint");
        var unreadable = await RunPythonAsync(folder, [Script, .. common, "--weights", "notes.pth", "--out", "notes.pt"]);
        Assert.Equal(2, unreadable.ExitCode);
        Assert.StartsWith("error: --weights: cannot read 'notes.pth' (", unreadable.StdErr.Trim());
        Assert.DoesNotContain("Traceback", unreadable.StdErr);
    }

    [Fact]
    public async Task A_module_that_never_runs_is_refused_naming_it()
    {
        var folder = await NetworkFolderAsync("export-spare");

        var export = await RunPythonAsync(folder, Script, "mynet:Net", "--outputs", "stem,spare", "--input-size", "32", "--out", "x.pt");

        Assert.Equal(2, export.ExitCode);
        Assert.Equal("error: --outputs: module 'spare' never runs in the network's forward, so it has no output to return", export.StdErr.Trim());
        Assert.False(File.Exists(Path.Combine(folder, "x.pt")));
    }

    [Fact]
    public async Task A_network_whose_own_output_is_no_logits_tensor_is_told_to_name_its_logits_module()
    {
        var folder = await NetworkFolderAsync("export-tuple");
        await File.WriteAllTextAsync(Path.Combine(folder, "pair.py"), """
            import mynet

            class Pair(mynet.Net):
                def forward(self, x):
                    logits = super().forward(x)
                    return logits, logits.softmax(1)
            """);

        var refused = await RunPythonAsync(folder, Script, "pair:Pair", "--outputs", "stem", "--input-size", "32", "--out", "x.pt");
        var named = await RunPythonAsync(folder, Script, "pair:Pair", "--outputs", "stem,head", "--no-final", "--input-size", "32", "--out", "y.pt");

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("error: the network's own output gives tuple, not N×C logits; pass --no-final and name the module that computes the logits in --outputs", refused.StdErr.Trim());
        Assert.False(File.Exists(Path.Combine(folder, "x.pt")));
        Assert.True(named.ExitCode == 0, named.ToString());
        Assert.Equal(["stem", "head"], JsonNode.Parse(named.StdOut)!["model"]!["outputs"]!.AsArray().Select(n => n!.GetValue<string>()));
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
