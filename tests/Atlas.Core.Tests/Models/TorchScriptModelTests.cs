using Atlas.Core.Analysis;
using Atlas.Core.Comparison;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Models.Checkpoints;
using Atlas.Core.Rendering;
using static Atlas.Core.Tests.Models.TorchScriptFixtures;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Networks the zoo does not have, brought as TorchScript archives written by PyTorch itself
/// (tests/fixtures/torchscript/make_fixtures.py), read through model.outputs.
/// </summary>
public class TorchScriptModelTests
{
    [Fact]
    public void Outputs_match_what_PyTorch_computed_for_the_same_pixels_with_the_configs_normalization()
    {
        using var reference = CheckpointReader.Read(Fixture("tiny-cnn.reference.pt"));
        using var model = ModelLoader.Load(TinyCnn(), []);

        Assert.Equal("torchscript", model.Architecture);
        Assert.Equal(["conv1", "conv2", "logits"], model.LayerNames);
        using var noGrad = no_grad();
        var activations = model.Activations(reference.Tensors["input"], ["logits", "conv1", "conv2"]);
        foreach (var name in model.LayerNames)
        {
            using var actual = activations[name];
            var expected = reference.Tensors[name];
            Assert.Equal(expected.shape, actual.shape);
            double gap = (actual - expected).abs().max().item<float>();
            Assert.True(gap < 1e-4, $"{name}: largest difference {gap} from PyTorch's output");
        }
        using var logits = model.Logits(reference.Tensors["input"]);
        Assert.True(logits.allclose(reference.Tensors["logits"], rtol: 1e-4, atol: 1e-5));
    }

    [Theory]
    [InlineData("channelsLast", true)]
    [InlineData("contiguous", false)]
    public void Model_memoryFormat_lays_out_the_archives_convolution_weights_and_values_stay_PyTorchs(string memoryFormat, bool channelsLast)
    {
        using var reference = CheckpointReader.Read(Fixture("tiny-cnn.reference.pt"));
        using var model = ModelLoader.Load(TinyCnn() with { MemoryFormat = memoryFormat }, []);

        // The module's own parameters are re-pointed in place (its compiled code reads them), so the layout is theirs.
        Assert.Equal(channelsLast, ChannelsLast.Uses(model.Network));
        Assert.Equal(channelsLast, model.Network.parameters().Where(p => p.dim() == 4).All(ChannelsLast.Chosen));
        var pixels = reference.Tensors["input"].clone().requires_grad_(true);
        var activations = model.Activations(pixels, ["conv1", "conv2", "logits"]);
        foreach (var (name, actual) in activations)
        {
            double gap = (actual - reference.Tensors[name]).abs().max().item<float>();
            Assert.True(gap < 1e-4, $"{memoryFormat} {name}: largest difference {gap} from PyTorch's output");
        }
        // Rendering differentiates through the reordered weights.
        activations["conv2"].sum().backward();
        Assert.True(pixels.grad is { } grad && grad.abs().sum().item<float>() > 0, $"{memoryFormat}: no gradient reached the pixels");
    }

    [Fact]
    public void The_layer_catalog_reads_each_outputs_shape_and_class_names_are_kept_when_the_logits_count_them()
    {
        var names = Enumerable.Range(0, 10).Select(i => $"class{i}").ToList();
        using var model = ModelLoader.Load(TinyCnn(), names);

        var catalog = LayerCatalog.Measure(model);

        Assert.Equal(
            [new LayerInfo("conv1", LayerKind.Conv, 8, 32, 32), new LayerInfo("conv2", LayerKind.Conv, 16, 16, 16), new LayerInfo("logits", LayerKind.Linear, 10, 1, 1)],
            catalog);
        Assert.Equal(names, model.ClassNames);
        using var other = ModelLoader.Load(TinyCnn(), ["only", "three", "names"]);
        Assert.Empty(other.ClassNames);
    }

    [Fact]
    public void A_forward_returning_a_list_of_eight_tensors_gives_eight_layers()
    {
        var config = new ModelConfig
        {
            Architecture = "TorchScript",
            Checkpoint = Fixture("eight-outputs.pt"),
            InputSize = 28,
            InputChannels = 1,
            Outputs = [.. Enumerable.Range(1, 7).Select(i => $"block{i}"), "fc"],
        };
        using var model = ModelLoader.Load(config, []);

        var catalog = LayerCatalog.Measure(model);

        Assert.Equal(8, catalog.Count);
        Assert.All(catalog.Take(7), l => Assert.Equal((LayerKind.Conv, 4, 28), (l.Kind, l.Channels, l.Height)));
        Assert.Equal((LayerKind.Linear, 5), (catalog[^1].Kind, catalog[^1].Channels));
    }

    [Fact]
    public void Grad_cam_weights_and_first_layer_filters_come_from_the_outputs_and_the_modules_of_the_same_name_but_circuits_do_not()
    {
        using var model = ModelLoader.Load(TinyCnn(), []);
        var probe = LayerProbes.For(model);
        using var pixels = rand(3, 3, 32, 32, generator: new Generator(4));

        // Again and on another thread: libtorch's graph optimizer (per thread) would cut the layer out of the logits' graph from the second run on.
        var runs = new List<IReadOnlyList<GradCamResult>>();
        for (int i = 0; i < 3; i++) runs.Add(GradCam.Compute(probe, pixels, "conv2"));
        var elsewhere = new Thread(() => { runs.Add(GradCam.Compute(probe, pixels, "conv2")); runs.Add(GradCam.Compute(probe, pixels, "conv2")); });
        elsewhere.Start();
        elsewhere.Join();

        Assert.Equal(5, runs.Count);
        Assert.All(runs, maps =>
        {
            Assert.Equal(3, maps.Count);
            Assert.All(maps, m => Assert.Contains(m.Heatmap.SelectMany(row => row), v => v > 0));
        });
        Assert.Equal([8L, 3, 3, 3], Assert.Single(probe.LayerWeights("conv1")).shape);
        Assert.Equal([10L, 16], Assert.Single(probe.LayerWeights("logits")).shape);
        Assert.Equal([8L, 3, 3, 3], probe.InputFilters("conv1")!.shape);
        Assert.Null(probe.InputFilters("conv2"));
        var catalog = LayerCatalog.Measure(model);
        var connections = CircuitAnalysis.Connect(probe, catalog[0], catalog[1], 3, out var reason);
        Assert.Null(connections);
        Assert.Equal("'conv1' and 'conv2' are not joined directly and model 'torchscript' offers no linearized forward for expanded weights", reason);
    }

    [Fact]
    public void Grad_cam_of_an_output_the_logits_do_not_read_is_an_input_error_not_a_crash()
    {
        var config = TinyCnn(Fixture("copied-conv.pt"), ["conv", "fc"]) with { Mean = null, Std = null };
        using var model = ModelLoader.Load(config, []);
        using var pixels = rand(1, 3, 32, 32, generator: new Generator(5));

        var error = Assert.Throws<AtlasInputException>(() => GradCam.Compute(LayerProbes.For(model), pixels, "conv"));

        Assert.Equal("the logits of model 'torchscript' are not computed from layer 'conv' (its output is a copy, or a branch the logits do not read), so Grad-CAM cannot weigh it", error.Message);
    }

    [Fact]
    public void Outputs_named_as_pre_activations_are_read_before_the_ReLU_and_are_not_layers()
    {
        var config = TinyCnn(Fixture("tiny-cnn-pre.pt"), ["conv1_pre", "conv1", "conv2_pre", "conv2", "logits"])
            with { PreActivations = new Dictionary<string, string> { ["conv1"] = "conv1_pre", ["conv2"] = "conv2_pre" } };
        using var model = ModelLoader.Load(config, []);
        using var asReturned = ModelLoader.Load(TinyCnn(), []);
        using var pixels = rand(2, 3, 32, 32, generator: new Generator(6));

        Assert.Equal(["conv1", "conv2", "logits"], model.LayerNames);
        Assert.Equal(3, LayerCatalog.Measure(model).Count);
        using (no_grad())
        {
            var pre = model.Activations(pixels, ["conv1", "logits"], preActivation: true);
            var post = model.Activations(pixels, ["conv1"]);
            Assert.True(pre["conv1"].lt(0).any().item<bool>(), "the value before the ReLU has negative entries");
            Assert.True(nn.functional.relu(pre["conv1"]).allclose(post["conv1"]));
            foreach (var t in pre.Values.Concat(post.Values)) t.Dispose();
        }
        // The renderer sees a rectified layer, as with the zoo models: negative pictures and the ReLU override apply.
        var kinds = Atlas.Core.Rendering.ReluProbe.Classify(model, ["conv1", "conv2", "logits"], 32, 32, CPU);
        Assert.Equal([LayerRelu.Rectified, LayerRelu.Rectified, LayerRelu.Linear], new[] { kinds["conv1"], kinds["conv2"], kinds["logits"] });
        Assert.Equal(LayerRelu.Linear, Atlas.Core.Rendering.ReluProbe.Classify(asReturned, ["conv1"], 32, 32, CPU)["conv1"]);
        var error = Assert.Throws<AtlasInputException>(() => model.Activations(pixels, ["conv1_pre"]));
        Assert.Equal("model 'torchscript' has no layer 'conv1_pre' (layers: conv1, conv2, logits)", error.Message);
    }

    [Fact]
    public void A_pre_activation_of_another_shape_than_its_layer_is_refused_at_load()
    {
        var config = TinyCnn(Fixture("tiny-cnn-pre.pt"), ["conv1_pre", "conv1", "conv2_pre", "conv2", "logits"])
            with { PreActivations = new Dictionary<string, string> { ["conv2"] = "conv1_pre" } };

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(config, []));

        Assert.Equal("model.preActivations: 'conv1_pre' is 8×32×32 per image, but 'conv2' is 16×16×16; the value before a layer's ReLU has the layer's shape", error.Message);
    }

    [Fact]
    public void Layer_fingerprints_follow_the_weights_before_each_output_and_the_archives_code()
    {
        using var model = ModelLoader.Load(TinyCnn(), []);
        using var sameWeightsOtherCode = ModelLoader.Load(TinyCnn(Fixture("tiny-cnn-avgpool.pt")), []);
        var layers = model.LayerNames;

        var before = LayerFingerprints.Compute(model, layers);
        using (no_grad())
        {
            var conv2 = model.Network.named_parameters().Single(p => p.name == "conv2.weight").parameter;
            conv2.add_(0.01f);
        }
        var after = LayerFingerprints.Compute(model, layers);
        var otherCode = LayerFingerprints.Compute(sameWeightsOtherCode, layers);

        Assert.Equal(["conv1"], LayerFingerprints.Identical(after, before));
        Assert.Empty(LayerFingerprints.Identical(otherCode, before));
        using var reloaded = ModelLoader.Load(TinyCnn(), []);
        Assert.Equal(before, LayerFingerprints.Compute(reloaded, layers));
    }

    [Fact]
    public void A_copy_converted_to_bfloat16_computes_in_it_and_stays_close_to_float32()
    {
        using var reference = CheckpointReader.Read(Fixture("tiny-cnn.reference.pt"));
        using var model = ModelLoader.Load(TinyCnn(), []);

        model.ConvertTo(ScalarType.BFloat16);

        Assert.Equal(ScalarType.BFloat16, model.ComputeType);
        using var noGrad = no_grad();
        using var logits = model.Logits(reference.Tensors["input"]);
        Assert.Equal(ScalarType.BFloat16, logits.dtype);
        var expected = reference.Tensors["logits"];
        double gap = (logits.to(ScalarType.Float32) - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(gap < 0.05, $"bfloat16 logits differ by {gap:P1} of the largest");
    }

    [Theory]
    [InlineData("missing.pt", null, "{0}: checkpoint file not found")]
    [InlineData("make_fixtures.py", null, "{0}: not a TorchScript archive (not a zip file); save one with torch.jit.save(torch.jit.script(model), path)")]
    [InlineData("state-dict.pth", null, "{0}: a PyTorch file without TorchScript code (a state dict saved with torch.save?); a torchscript model needs torch.jit.save(torch.jit.script(model), path), or name the zoo architecture the weights belong to")]
    [InlineData("tiny-cnn.pt", "conv1,logits", "model.outputs: names 2 outputs (conv1, logits), but tiny-cnn.pt's forward returns 3 tensors")]
    // An archive whose extra file lists linearized paths or early stops by position: the count is still what is said.
    [InlineData("tiny-cnn-linear.pt", "logits", "model.outputs: names 1 output (logits), but tiny-cnn-linear.pt's forward returns 3 tensors")]
    [InlineData("tiny-cnn-stops.pt", "logits", "model.outputs: names 1 output (logits), but tiny-cnn-stops.pt's forward returns 3 tensors")]
    [InlineData("dict-output.pt", "conv", "{0}: the TorchScript module's forward returns a value TorchSharp cannot read (a dict?); return a tuple of tensors in model.outputs order instead")]
    [InlineData("bad-rank.pt", "conv,flat", "model.outputs: 'flat' (output 2) is 4×1024 per image; atlas layers are C×H×W maps or C vectors")]
    [InlineData("detached-conv.pt", "conv,fc", "model.outputs: 'conv' (output 1) does not follow from the input pixels (detached, or computed without gradients), so nothing can be rendered for it")]
    public void Archives_that_do_not_fit_the_config_are_one_line_input_errors(string file, string? outputs, string expected)
    {
        var path = Fixture(file);
        var config = TinyCnn(path, outputs?.Split(','));

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(config, []));

        Assert.Equal(string.Format(expected, path), error.Message);
    }

    [Fact]
    public void A_TorchScript_archive_given_to_a_zoo_architecture_says_how_to_load_it()
    {
        var path = Fixture("tiny-cnn.pt");

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(new ModelConfig { Architecture = "resnet18", Checkpoint = path }, []));

        Assert.Equal($"{path}: a TorchScript archive, not a state dict; load it with model.architecture \"torchscript\" and its outputs named in model.outputs (docs/config-reference.md, \"Your own network\")", error.Message);
    }

    [Fact]
    public void A_module_traced_with_its_batch_size_baked_in_is_refused_at_load()
    {
        var config = TinyCnn(Fixture("batch-one.pt"), ["conv", "fc"]) with { Mean = null, Std = null };

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(config, []));

        Assert.StartsWith($"{config.Checkpoint}: the TorchScript module fails on a 2×3×32×32 input (model.inputSize, model.inputChannels): RuntimeError: shape '[1, 4096]' is invalid", error.Message);
    }

    [Fact]
    public void An_input_the_module_cannot_take_names_the_size_and_the_cause_from_the_TorchScript_traceback()
    {
        var config = TinyCnn() with { InputChannels = 1, Mean = null, Std = null };

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(config, []));

        Assert.StartsWith($"{config.Checkpoint}: the TorchScript module fails on a 2×1×32×32 input (model.inputSize, model.inputChannels): RuntimeError: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
