using Atlas.Core.Configuration;
using Atlas.Core.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>Checkpoints written here in every supported format and dtype, loaded back through the model loader.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class CheckpointLoadingTests
{
    private static readonly string[] SevenClasses = ["a", "b", "c", "d", "e", "f", "g"];

    [Theory]
    [InlineData("pth", ScalarType.Float32)]
    [InlineData("pth", ScalarType.Float16)]
    [InlineData("pth", ScalarType.BFloat16)]
    [InlineData("safetensors", ScalarType.Float32)]
    [InlineData("safetensors", ScalarType.Float16)]
    [InlineData("safetensors", ScalarType.BFloat16)]
    [InlineData("torchsharp", ScalarType.Float32)]
    [InlineData("torchsharp", ScalarType.Float16)]
    public void Every_format_and_stored_dtype_loads_as_float32_with_the_checkpoints_class_count(string format, ScalarType stored)
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        random.manual_seed(21);
        using var original = new DemoCnn(classes: 7);
        original.eval();
        var path = folder.File(format == "safetensors" ? "demo.safetensors" : format == "pth" ? "demo.pth" : "demo.pt");
        original.to(stored);
        Save(original, format, path);
        // The reference: the same weights after the same rounding, back in float32.
        original.to(ScalarType.Float32);

        var (model, report) = ModelLoader.LoadWithReport(new ModelConfig { Architecture = "demo-cnn", Checkpoint = path }, SevenClasses);
        using var _ = model;
        Assert.Equal(7, report.Classes);
        Assert.Equal(8, report.Loaded);
        Assert.Equal([stored.ToString()], report.StoredTypes);
        Assert.Empty(report.Unexpected);
        Assert.Equal(SevenClasses, model.ClassNames);
        Assert.All(model.Network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));

        using var noGrad = no_grad();
        using var pixels = rand(3, 1, 28, 28, generator: new Generator(4));
        using var reference = new DemoCnnModel(original, SevenClasses);
        using var expected = reference.Logits(pixels);
        using var actual = model.Logits(pixels);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-6), $"{format}/{stored}: logits differ");
    }

    [Fact]
    public void Data_parallel_prefix_is_removed_and_extra_keys_are_reported()
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        using var network = new DemoCnn();
        var state = network.state_dict().ToDictionary(p => "module." + p.Key, p => p.Value);
        using var extra = ones(3);
        state["module.extra.weight"] = extra;
        var path = folder.File("wrapped.pth");
        PyTorchPickler.PickleStateDict(path, state);

        var (model, report) = ModelLoader.LoadWithReport(new ModelConfig { Architecture = "demo-cnn", Checkpoint = path }, []);
        model.Dispose();
        Assert.Equal(8, report.Loaded);
        Assert.Equal(["extra.weight"], report.Unexpected);
        Assert.Empty(report.MissingOptional);
    }

    [Fact]
    public void A_missing_weight_names_the_file_the_key_and_the_layer_it_feeds()
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        using var network = new DemoCnn();
        var path = folder.File("partial.pth");
        network.save_py(path, skip: ["conv2.weight"]);

        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("demo-cnn", path, []));
        Assert.StartsWith(path + ":", error.Message);
        Assert.Contains("'conv2.weight'", error.Message);
        Assert.Contains("layer conv2", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_zoo_network_names_the_atlas_layer_a_missing_key_feeds_and_tolerates_missing_batch_counters()
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        using var network = torchvision.models.mobilenet_v2(num_classes: 5);
        var counters = network.state_dict().Keys.Where(k => k.EndsWith(".num_batches_tracked")).ToList();
        Assert.NotEmpty(counters);

        var withoutCounters = folder.File("counters.safetensors");
        network.save_safetensors(withoutCounters, skip: counters);
        var (model, report) = ModelLoader.LoadWithReport(new ModelConfig { Architecture = "mobilenet_v2", Checkpoint = withoutCounters }, []);
        model.Dispose();
        Assert.Equal(5, report.Classes);
        Assert.Equal(counters.Order(), report.MissingOptional.Order());

        var withoutWeight = folder.File("weight.safetensors");
        network.save_safetensors(withoutWeight, skip: ["features.3.conv.1.0.weight"]);
        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("mobilenet_v2", withoutWeight, []));
        Assert.Contains("'features.3.conv.1.0.weight'", error.Message);
        Assert.Contains("layer block3", error.Message);
    }

    [Fact]
    public void A_state_dict_cast_to_fp16_whole_loads_with_its_batch_counters_left_at_their_defaults()
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        random.manual_seed(12);
        using var network = torchvision.models.mobilenet_v2(num_classes: 3);
        network.eval();
        // What `{k: v.half() for k, v in model.state_dict().items()}` saves: the int64 counters become fp16 too.
        var cast = network.state_dict().ToDictionary(p => p.Key, p => p.Value.to(ScalarType.Float16));
        var counters = cast.Keys.Where(k => k.EndsWith(".num_batches_tracked")).ToList();
        Assert.NotEmpty(counters);
        var path = folder.File("half.pth");
        PyTorchPickler.PickleStateDict(path, cast);

        var (model, report) = ModelLoader.LoadWithReport(new ModelConfig { Architecture = "mobilenet_v2", Checkpoint = path, InputSize = 32 }, []);
        using var _ = model;
        Assert.Equal(counters.Order(), report.MissingOptional.Order());
        Assert.Equal(cast.Count - counters.Count, report.Loaded);
        Assert.Equal([ScalarType.Float16.ToString()], report.StoredTypes);

        // The weights themselves arrived: the network computes what the same file without its counters gives.
        var withoutCounters = folder.File("half-without-counters.pth");
        PyTorchPickler.PickleStateDict(withoutCounters, cast.Where(p => !counters.Contains(p.Key)).ToDictionary());
        using var reference = ModelLoader.Load(new ModelConfig { Architecture = "mobilenet_v2", Checkpoint = withoutCounters, InputSize = 32 }, []);
        using var noGrad = no_grad();
        using var pixels = rand(2, 3, 32, 32, generator: new Generator(3));
        using var expected = reference.Logits(pixels);
        using var actual = model.Logits(pixels);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 0), "the fp16 weights did not load as they do without the counters");
    }

    [Fact]
    public void A_zoo_network_normalizes_its_input_with_the_configs_mean_and_std_in_place_of_imagenets()
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        random.manual_seed(5);
        using (var network = torchvision.models.resnet18(num_classes: 4)) network.save_safetensors(folder.File("net.safetensors"));
        var path = folder.File("net.safetensors");
        float[] mean = [0.5f, 0.4f, 0.3f], std = [0.2f, 0.25f, 0.3f];

        using var imageNet = ModelLoader.Load(new ModelConfig { Architecture = "resnet18", Checkpoint = path, InputSize = 32 }, []);
        using var own = ModelLoader.Load(new ModelConfig { Architecture = "resnet18", Checkpoint = path, InputSize = 32, Mean = mean, Std = std }, []);
        var (m, s) = (imageNet.Input.Mean, imageNet.Input.Std);
        Assert.Equal(mean, own.Input.Mean);
        Assert.Equal(std, own.Input.Std);

        // The pixels that ImageNet's statistics normalize to what the config's make of the first ones.
        using var noGrad = no_grad();
        using var pixels = rand(2, 3, 32, 32, generator: new Generator(8));
        using var same = tensor(m).view(1, 3, 1, 1) + tensor(s).view(1, 3, 1, 1) * (pixels - tensor(mean).view(1, 3, 1, 1)) / tensor(std).view(1, 3, 1, 1);
        using var expected = imageNet.Logits(same);
        using var actual = own.Logits(pixels);
        using var plain = imageNet.Logits(pixels);
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), "the config's mean and std are not what normalizes the input");
        Assert.False(actual.allclose(plain, rtol: 1e-3, atol: 1e-4), "the config's mean and std changed nothing");
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_or_shape_is_an_input_error()
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        using var colour = new DemoCnn(inputChannels: 3);
        var path = folder.File("colour.pt");
        colour.save(path);

        var shape = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("demo-cnn", path, []));
        Assert.Contains("'conv1.weight' has shape [16, 3, 3, 3] but demo-cnn needs [16, 1, 3, 3]", shape.Message);

        var architecture = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("googlenet", path, []));
        Assert.Contains("has no 'conv1.conv.weight', which googlenet needs for layer conv1", architecture.Message);
        Assert.Contains("is it a googlenet checkpoint?", architecture.Message);

        var missing = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("resnet18", folder.File("absent.pth"), []));
        Assert.Equal($"{folder.File("absent.pth")}: checkpoint file not found", missing.Message);
    }

    internal static void Save(nn.Module module, string format, string path)
    {
        switch (format)
        {
            case "pth": module.save_py(path); break;
            case "safetensors": module.save_safetensors(path); break;
            default: module.save(path); break;
        }
    }
}
