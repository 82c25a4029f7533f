using System.IO.Compression;
using System.Text;
using Atlas.Core.Analysis;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Models.Checkpoints;
using Atlas.Core.Models.TorchScript;
using static Atlas.Core.Tests.Models.TorchScriptFixtures;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Early stops of a TorchScript archive (methods listed in its extra file atlas.json that run the network only up to
/// an output): which one runs, that it gives forward's values, and that stops that do not fit are refused at load.
/// The archives are written by PyTorch (tests/fixtures/torchscript/make_fixtures.py).
/// </summary>
public class TorchScriptStopsTests
{
    [Fact]
    public void The_earliest_stop_that_returns_the_wanted_layers_runs_and_gives_what_PyTorch_computed()
    {
        using var reference = CheckpointReader.Read(Fixture("tiny-cnn.reference.pt"));
        var (loaded, report) = ModelLoader.LoadWithReport(TinyCnn(Fixture("tiny-cnn-stops.pt")), []);
        using var _ = loaded;
        var model = Assert.IsType<TorchScriptModel>(loaded);

        Assert.Equal("atlas_upto_0", model.StopFor(["conv1"])?.Method);
        Assert.Equal("atlas_upto_1", model.StopFor(["conv2"])?.Method);
        Assert.Equal("atlas_upto_1", model.StopFor(["conv2", "conv1"])?.Method);
        Assert.Null(model.StopFor(["logits"]));
        Assert.StartsWith("2 early stops", report.Note);
        using var noGrad = no_grad();
        foreach (var name in new[] { "conv1", "conv2" })
        {
            using var actual = model.Activations(reference.Tensors["input"], [name])[name];
            double gap = (actual - reference.Tensors[name]).abs().max().item<float>();
            Assert.True(gap < 1e-4, $"{name}: largest difference {gap} from PyTorch's output");
        }
    }

    [Fact]
    public void A_stops_output_follows_from_the_pixels_so_feature_visualization_can_climb_it()
    {
        using var model = (TorchScriptModel)ModelLoader.Load(TinyCnn(Fixture("tiny-cnn-stops.pt")), []);
        var pixels = rand(2, 3, 32, 32).requires_grad_(true);

        using var conv1 = model.Activations(pixels, ["conv1"])["conv1"];
        conv1[TensorIndex.Colon, 3].mean().backward();

        Assert.True(pixels.grad is { } grad && grad.abs().sum().item<float>() > 0, "no gradient reached the pixels through atlas_upto_0");
    }

    [Fact]
    public void An_archive_without_atlas_json_runs_its_whole_forward_for_every_layer()
    {
        var (loaded, report) = ModelLoader.LoadWithReport(TinyCnn(Fixture("tiny-cnn.pt")), []);
        using var model = (TorchScriptModel)loaded;

        Assert.Null(model.StopFor(["conv1"]));
        Assert.StartsWith("no early stops", report.Note);
    }

    [Theory]
    [InlineData("tiny-cnn-stop-wrong.pt", "{0}: early stop 'atlas_upto_0' gives other values for 'conv1' than forward does; export the archive again (scripts/export-torchscript.py)")]
    [InlineData("tiny-cnn-stop-missing.pt", "{0}: early stop 'atlas_upto_5' (atlas.json) cannot be run: ")]
    public void Stops_that_do_not_give_forwards_values_are_refused_at_load(string file, string expected)
    {
        var config = TinyCnn(Fixture(file));

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(config, []));

        Assert.StartsWith(string.Format(expected, config.Checkpoint), error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("{", "x.pt: extra file atlas.json: not valid JSON (")]
    [InlineData("{\"stop\": []}", "x.pt: extra file atlas.json: has no \"stops\" list")]
    [InlineData("{\"stops\": [{\"method\": \"a\"}]}", "x.pt: extra file atlas.json: stops[0]: must be {\"method\": name, \"outputs\": [positions in forward's result]}")]
    [InlineData("{\"stops\": [{\"method\": \"a\", \"outputs\": [0, 3]}]}", "x.pt: extra file atlas.json: stops[0].outputs: 3 is not a position in forward's 3 outputs (0 to 2)")]
    [InlineData("{\"stops\": [{\"method\": \"a\", \"outputs\": [1, 1]}]}", "x.pt: extra file atlas.json: stops[0].outputs: position 1 is listed twice")]
    [InlineData("{\"stops\": [{\"method\": \"a\", \"outputs\": [0]}, {\"method\": \"a\", \"outputs\": [1]}]}", "x.pt: extra file atlas.json: method 'a' is listed twice")]
    public void A_malformed_atlas_json_is_an_input_error_naming_the_archive_and_the_entry(string json, string expected)
    {
        using var zip = ZipWith("x/extra/atlas.json", json);

        var error = Assert.Throws<AtlasInputException>(() => TorchScriptStops.Read(TorchScriptArchive.AtlasJson(zip, "x.pt"), "x.pt", 3));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void Stops_are_read_in_the_order_listed_and_the_one_with_fewest_outputs_covering_the_wanted_ones_is_chosen()
    {
        using var zip = ZipWith("x/extra/atlas.json",
            "{\"stops\": [{\"method\": \"upto_b\", \"outputs\": [1, 0]}, {\"method\": \"upto_a\", \"outputs\": [1]}, {\"method\": \"upto_c\", \"outputs\": [0, 1, 2]}]}");

        var stops = TorchScriptStops.Read(TorchScriptArchive.AtlasJson(zip, "x.pt"), "x.pt", 4);

        Assert.Equal(["upto_b", "upto_a", "upto_c"], stops.All.Select(s => s.Method));
        Assert.Equal([1, 0], stops.All[0].Outputs);
        Assert.Equal("upto_a", stops.EarliestWith([1])?.Method);
        Assert.Equal("upto_b", stops.EarliestWith([0])?.Method);
        Assert.Equal("upto_c", stops.EarliestWith([2, 0])?.Method);
        Assert.Null(stops.EarliestWith([3]));
        using var without = ZipWith("x/data.pkl", "");
        Assert.Empty(TorchScriptStops.Read(TorchScriptArchive.AtlasJson(without, "x.pt"), "x.pt", 4).All);
    }

    [Fact]
    public void A_linearized_path_in_the_archive_gives_circuits_whose_kernels_follow_from_its_code()
    {
        var (loaded, report) = ModelLoader.LoadWithReport(TinyCnn(Fixture("tiny-cnn-linear.pt")), []);
        using var model = loaded;
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model).ToDictionary(l => l.Name);

        var connections = CircuitAnalysis.Connect(probe, catalog["conv1"], catalog["conv2"], 3, out var reason, toUnits: 4);
        var none = CircuitAnalysis.Connect(probe, catalog["conv2"], catalog["logits"], 3, out var noneReason);

        Assert.EndsWith("1 linearized paths for circuits", report.Note);
        Assert.True(connections is not null, reason);
        Assert.Equal(ConnectionMethod.Expanded, connections!.Method);
        // conv2's 3×3 kernel over a 2×2 average pool: each kernel weight spreads over a 2×2 block, a quarter each.
        var weights = model.Network.named_parameters().Single(p => p.name == "conv2.weight").parameter;
        Assert.Equal((6, 6), (connections.KernelHeight, connections.KernelWidth));
        for (int unit = 0; unit < 4; unit++)
            foreach (int from in new[] { 0, 5 })
            {
                var kernel = connections.Kernel(unit, from);
                for (int y = 0; y < 6; y++)
                    for (int x = 0; x < 6; x++)
                        Assert.Equal(weights[unit, from, y / 2, x / 2].item<float>() / 4, kernel[y][x], 1e-6f);
            }
        Assert.Null(none);
        Assert.Contains("offers no linearized forward", noneReason);
    }

    [Theory]
    [InlineData("tiny-cnn-linear-wrong.pt", "{0}: linearized path 'atlas_linear_0' gives 8×32×32 per image, but 'conv2' is 16×16×16")]
    [InlineData("tiny-cnn-linear-constant.pt", "{0}: linearized path 'atlas_linear_0' does not compute 'conv2' from its substitute for 'conv1'")]
    public void A_linearized_path_that_does_not_give_its_target_from_its_substitute_is_refused_at_load(string file, string expected)
    {
        var config = TinyCnn(Fixture(file));

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(config, []));

        Assert.Equal(string.Format(expected, config.Checkpoint), error.Message);
    }

    [Fact]
    public void Circuits_through_a_path_that_ignores_its_substitute_are_refused_with_a_reason_not_an_exception()
    {
        // The loader refuses such a path; a model built around it directly (no load check) shows what circuits do then.
        TorchRuntime.Initialize();
        var config = TinyCnn(Fixture("tiny-cnn-linear-constant.pt"));
        using var model = new TorchScriptModel(jit.load(config.Checkpoint), TorchScriptInput.For(config), config.Outputs!,
            new Dictionary<string, string>(), [], "digest", linear: new TorchScriptLinearPaths([new TorchScriptLinearPath("atlas_linear_0", 0, 1)]));
        var catalog = LayerCatalog.Measure(model).ToDictionary(l => l.Name);

        var connections = CircuitAnalysis.Connect(LayerProbes.For(model), catalog["conv1"], catalog["conv2"], 3, out var reason, toUnits: 2);

        Assert.Null(connections);
        Assert.Equal("the linearized forward from 'conv1' to 'conv2' does not read the substituted activation, so it has no gradient to draw", reason);
    }

    [Theory]
    [InlineData("{\"stops\": [], \"linearized\": {}}", "x.pt: extra file atlas.json: linearized: is not a list")]
    [InlineData("{\"stops\": [], \"linearized\": [{\"method\": \"a\", \"from\": 1}]}", "x.pt: extra file atlas.json: linearized[0]: must be {\"method\": name, \"from\": position, \"to\": position}")]
    [InlineData("{\"stops\": [], \"linearized\": [{\"method\": \"a\", \"from\": 2, \"to\": 1}]}", "x.pt: extra file atlas.json: linearized[0]: from 2 to 1 is not a path forward between positions of forward's 3 outputs")]
    public void A_malformed_linearized_list_is_an_input_error_naming_the_entry(string json, string expected)
    {
        using var zip = ZipWith("x/extra/atlas.json", json);

        var error = Assert.Throws<AtlasInputException>(() => TorchScriptLinearPaths.Read(TorchScriptArchive.AtlasJson(zip, "x.pt"), "x.pt", 3));

        Assert.Equal(expected, error.Message);
    }

    private static ZipArchive ZipWith(string entryName, string content)
    {
        var memory = new MemoryStream();
        using (var writer = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        using (var stream = writer.CreateEntry(entryName).Open())
            stream.Write(Encoding.UTF8.GetBytes(content));
        memory.Position = 0;
        return new ZipArchive(memory, ZipArchiveMode.Read);
    }
}
