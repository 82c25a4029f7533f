using System.IO.Compression;
using System.Text;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Models.Checkpoints;
using Atlas.Core.Models.TorchScript;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Early stops of a TorchScript archive (methods listed in its extra file atlas.json that run the network only up to
/// an output): which one runs, that it gives forward's values, and that stops that do not fit are refused at load.
/// The archives are written by PyTorch (tests/fixtures/torchscript/make_fixtures.py).
/// </summary>
public class TorchScriptStopsTests
{
    private static string Fixture(string name) => Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "torchscript", name);

    private static ModelConfig TinyCnn(string file) => new()
    {
        Architecture = "torchscript",
        Checkpoint = Fixture(file),
        InputSize = 32,
        Outputs = ["conv1", "conv2", "logits"],
        Mean = [0.5f, 0.4f, 0.3f],
        Std = [0.25f, 0.2f, 0.3f],
    };

    [Fact]
    public void The_earliest_stop_that_returns_the_wanted_layers_runs_and_gives_what_PyTorch_computed()
    {
        using var reference = CheckpointReader.Read(Fixture("tiny-cnn.reference.pt"));
        var (loaded, report) = ModelLoader.LoadWithReport(TinyCnn("tiny-cnn-stops.pt"), []);
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
        using var model = (TorchScriptModel)ModelLoader.Load(TinyCnn("tiny-cnn-stops.pt"), []);
        var pixels = rand(2, 3, 32, 32).requires_grad_(true);

        using var conv1 = model.Activations(pixels, ["conv1"])["conv1"];
        conv1[TensorIndex.Colon, 3].mean().backward();

        Assert.True(pixels.grad is { } grad && grad.abs().sum().item<float>() > 0, "no gradient reached the pixels through atlas_upto_0");
    }

    [Fact]
    public void An_archive_without_atlas_json_runs_its_whole_forward_for_every_layer()
    {
        var (loaded, report) = ModelLoader.LoadWithReport(TinyCnn("tiny-cnn.pt"), []);
        using var model = (TorchScriptModel)loaded;

        Assert.Null(model.StopFor(["conv1"]));
        Assert.StartsWith("no early stops", report.Note);
    }

    [Theory]
    [InlineData("tiny-cnn-stop-wrong.pt", "{0}: early stop 'atlas_upto_0' gives other values for 'conv1' than forward does; export the archive again (scripts/export-torchscript.py)")]
    [InlineData("tiny-cnn-stop-missing.pt", "{0}: early stop 'atlas_upto_5' (atlas.json) cannot be run: ")]
    public void Stops_that_do_not_give_forwards_values_are_refused_at_load(string file, string expected)
    {
        var config = TinyCnn(file);

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

        var error = Assert.Throws<AtlasInputException>(() => TorchScriptStops.Read(zip, "x.pt", 3));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void Stops_are_read_in_the_order_listed_and_the_one_with_fewest_outputs_covering_the_wanted_ones_is_chosen()
    {
        using var zip = ZipWith("x/extra/atlas.json",
            "{\"stops\": [{\"method\": \"upto_b\", \"outputs\": [1, 0]}, {\"method\": \"upto_a\", \"outputs\": [1]}, {\"method\": \"upto_c\", \"outputs\": [0, 1, 2]}]}");

        var stops = TorchScriptStops.Read(zip, "x.pt", 4);

        Assert.Equal(["upto_b", "upto_a", "upto_c"], stops.All.Select(s => s.Method));
        Assert.Equal([1, 0], stops.All[0].Outputs);
        Assert.Equal("upto_a", stops.EarliestWith([1])?.Method);
        Assert.Equal("upto_b", stops.EarliestWith([0])?.Method);
        Assert.Equal("upto_c", stops.EarliestWith([2, 0])?.Method);
        Assert.Null(stops.EarliestWith([3]));
        using var without = ZipWith("x/data.pkl", "");
        Assert.Empty(TorchScriptStops.Read(without, "x.pt", 4).All);
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
