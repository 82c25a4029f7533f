using System.Text.RegularExpressions;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;

namespace Atlas.Core.Tests.Models;

/// <summary>The shipped atlas-configs/&lt;model&gt;.json files and the model options of the config.</summary>
public class ZooConfigTests
{
    public static TheoryData<string> ZooNames => new(ModelZoo.All.Where(a => a.Name != DemoCnn.ArchitectureName).Select(a => a.Name));

    [Theory]
    [MemberData(nameof(ZooNames))]
    public void Each_zoo_model_has_a_config_whose_only_blanks_are_the_weights_and_the_image_folder(string name)
    {
        var path = Path.Combine(RepositoryPaths.Root, "atlas-configs", $"{name}.json");
        var text = File.ReadAllText(path);
        var placeholders = Regex.Matches(text, "\"(/path/to/[^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal([$"/path/to/{name}.pth", "/path/to/imagenet/val"], placeholders);

        var config = AtlasConfigLoader.Load(path);
        Assert.Equal(name, ModelZoo.Get(config.Model.Architecture).Name);
        Assert.Equal("image-folder", config.Dataset.Kind);
        Assert.Equal((ModelZoo.Get(name).Input.Height, 3), (config.Dataset.ImageSize, config.Dataset.Channels));
        Assert.Null(config.Examples.BatchSize); // sized from the device's memory: a few dozen images on a CPU, up to 1,024 on a GPU

        // Run as shipped, the placeholders give one-line "not found" errors naming what to fill in.
        var checkpoint = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(config.Model, []));
        Assert.Equal($"/path/to/{name}.pth: checkpoint file not found", checkpoint.Message);
        var data = Assert.Throws<AtlasInputException>(() => DatasetOpener.Open(config.Dataset));
        Assert.Equal("dataset.path: data folder '/path/to/imagenet/val' not found", data.Message);
    }

    [Theory]
    [InlineData("\"architecture\": \"resnet18\", \"transformInput\": true", "model.transformInput: only the googlenet and inception_v3 architectures have this option")]
    [InlineData("\"architecture\": \"demo-cnn\", \"inputSize\": 32", "model.inputSize: demo-cnn takes 28×28 inputs only")]
    [InlineData("\"architecture\": \"vgg16\", \"inputSize\": 4", "model.inputSize: must be between 16 and 4096")]
    [InlineData("\"architecture\": \"resnet18\", \"mean\": [0.5]", "model.mean: has 1 values for 3 channels")]
    [InlineData("\"architecture\": \"resnet18\", \"checkpointEntry\": \"\"", "model.checkpointEntry: must not be empty (leave it out to find the state dict)")]
    [InlineData("\"architecture\": \"torchscript\", \"inputSize\": 32, \"outputs\": [\"a\"], \"keyPrefix\": \"model.\"", "model.keyPrefix: only zoo architectures take this (a TorchScript archive is one network, not a state dict)")]
    [InlineData("\"architecture\": \"demo-cnn\", \"std\": [0]", "model.std: values must be positive")]
    [InlineData("\"architecture\": \"demo-cnn\", \"branchConvolutions\": \"merged\"", "model.branchConvolutions: only the googlenet architecture has this option (its Inception blocks' 1×1 convolutions); leave it out or set auto")]
    [InlineData("\"architecture\": \"resnet18\", \"train\": { \"epochs\": 1 }", "model.train: only the 'demo-cnn' architecture can be trained here")]
    [InlineData("\"architecture\": \"googlenet\", \"transformInput\": true, \"std\": [0.5, 0.5, 0.5]", "model.transformInput: cannot be combined with model.mean or model.std (it assumes ImageNet's mean and std)")]
    public void Model_options_are_checked_with_the_file_and_field_named(string model, string expected) =>
        AssertRefused($$"""{ "name": "bad", "model": { {{model}}, "checkpoint": "x.pth" }, "dataset": { "kind": "image-folder", "path": "images" } }""", expected);

    [Fact]
    public void An_empty_layer_list_is_refused_rather_than_read_as_every_layer() =>
        AssertRefused("""{ "name": "bad", "model": { "architecture": "demo-cnn", "checkpoint": "x.pt" }, "layers": [], "dataset": { "kind": "idx", "path": "d" } }""",
            "layers: is empty (leave it out for every layer)");

    [Fact]
    public void A_misspelt_architecture_is_named_with_the_file_before_its_checkpoint_is_looked_for()
    {
        // x.pth does not exist: the architecture is still what the user hears of first.
        var expected = $"model.architecture: {ModelZoo.Unknown("resnet-81")}";
        AssertRefused("""{ "name": "bad", "model": { "architecture": "resnet-81", "checkpoint": "x.pth" }, "dataset": { "kind": "image-folder", "path": "images" } }""", expected);
        Assert.Contains("unknown architecture 'resnet-81' (known: ", expected);
        Assert.Contains("resnet18 (resnet-18)", expected);
    }

    /// <summary>Loads <paramref name="json"/> from a file and expects the one-line error "{file}: {expected}".</summary>
    private static void AssertRefused(string json, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(path));
        Assert.Equal($"{path}: {expected}", error.Message);
    }

    [Theory]
    [InlineData("\"model\": { \"architecture\": \"resnet18\", \"checkpoint\": null }, \"dataset\": { \"kind\": \"image-folder\", \"path\": \"images\" }", "model.checkpoint")]
    [InlineData("\"model\": { \"architecture\": \"resnet18\", \"checkpoint\": \"x.pth\" }, \"dataset\": { \"kind\": \"image-folder\", \"path\": null }", "dataset.path")]
    [InlineData("\"model\": { \"architecture\": \"resnet18\", \"checkpoint\": \"x.pth\" }, \"dataset\": { \"kind\": \"image-folder\", \"path\": \"images\" }, \"output\": { \"store\": null }", "output.store")]
    [InlineData("\"model\": { \"architecture\": \"resnet18\", \"checkpoint\": \"x.pth\" }, \"dataset\": { \"kind\": \"image-folder\", \"path\": \"images\" }, \"featureVis\": null", "featureVis")]
    [InlineData("\"model\": null, \"dataset\": { \"kind\": \"image-folder\", \"path\": \"images\" }", "model")]
    public void A_null_where_a_value_is_needed_is_one_line_naming_the_field(string sections, string field) =>
        AssertRefused($$"""{ "name": "bad", {{sections}} }""", $"{field}: must not be null (give it a value, or leave it out where it has a default)");

    [Theory]
    [InlineData("\"name\": \"..\"", "name: must start with a letter or digit and be at most 100 characters")]
    [InlineData("\"name\": \".hidden\"", "name: must start with a letter or digit and be at most 100 characters")]
    [InlineData("\"name\": \"index.html\"", "name: 'index.html' is the name of the site's own home page; choose another")]
    [InlineData("\"name\": \"a\", \"title\": \"  \"", "title: is blank (leave it out to use the name)")]
    [InlineData("\"name\": \"a\", \"title\": \"red\\u001b[31m\"", "title: holds a control character (a tab, newline, NUL or escape); write it on one line of text")]
    [InlineData("\"name\": \"ASSETS\"", "name: 'ASSETS' is the name of the site's own folder of styles and scripts; choose another")]
    [InlineData("\"name\": \"a\", \"NAME\": \"b\"", "NAME: given twice (field names are matched without regard to case) (line 1, byte 148)")]
    [InlineData("\"name\": \"a\", \"featureVis\": { \"steps\": \"256\" }", "featureVis.steps: takes a whole number, not the string \"256\" (line 1, byte 167)")]
    [InlineData("\"name\": \"a\", \"maxUnitsPerLayer\": 2.5", "maxUnitsPerLayer: takes a whole number, not 2.5 (line 1, byte 160)")]
    [InlineData("\"name\": \"a\", \"layers\": \"conv1\"", "layers: takes a list ([…]), not the string \"conv1\" (line 1, byte 154)")]
    [InlineData("\"name\": \"a\", \"featureVis\": 3", "featureVis: takes an object ({…}), not 3 (line 1, byte 152)")]
    [InlineData("\"name\": \"a\", \"model\": { \"architecture\": \"resnet18\", \"checkpoint\": \"x.pt\", \"mean\": [0.5, \"x\", 0.5] }", "model.mean[1]: takes a number, not the string \"x\" (line 1, byte 151)")]
    [InlineData("\"name\": \"a\", \"featureVis\": { \"stpes\": 8 }", "featureVis.stpes: unknown field (did you mean 'steps'?) (line 1, byte 161)")]
    [InlineData("\"name\": \"a\", \"colour\": 8", "colour: unknown field (known here: name, title, model, dataset, layers, maxUnitsPerLayer, featureVis, examples, output, watch) (line 1, byte 146)")]
    [InlineData("\"model\": { \"architecture\": \"resnet18\" }", "model.checkpoint: is required and missing (line 1, byte 99)")]
    [InlineData("\"name\": \"a\", \"featureVis\": { \"learningRate\": 1e999 }", "featureVis.learningRate: must be a finite positive number")]
    [InlineData("\"name\": \"a\", \"model\": { \"architecture\": \"demo-cnn\", \"checkpoint\": \"x.pt\", \"train\": { \"minTestAccuracy\": 1.5 } }", "model.train.minTestAccuracy: must be between 0 and 1")]
    public void Names_repeated_or_unknown_fields_values_of_the_wrong_kind_and_numbers_out_of_range_are_refused_in_the_configs_terms(string fields, string expected)
    {
        var model = fields.Contains("\"model\"") ? "" : "\"model\": { \"architecture\": \"resnet18\", \"checkpoint\": \"x.pth\" }, ";
        AssertRefused($$"""{ {{model}}"dataset": { "kind": "image-folder", "path": "images" }, {{fields}} }""", expected);
    }

    [Fact]
    public void Choices_match_without_regard_to_case_as_field_names_do_and_load_in_their_own_spelling()
    {
        using var folder = new TempFolder();
        var path = folder.File("cased.json");
        File.WriteAllText(path, """
            { "name": "c", "model": { "architecture": "ResNet18", "checkpoint": "x.pth", "memoryFormat": "CHANNELSLAST", "inputConvolution": "SpaceToDepth" },
              "dataset": { "kind": "Image-Folder", "path": "images", "split": "Test" },
              "featureVis": { "parameterization": "Pixel", "precision": "BFloat16" }, "examples": { "heatmaps": "All", "precision": "Float16" } }
            """);

        var config = AtlasConfigLoader.Load(path);

        Assert.Equal(("channelsLast", "spaceToDepth", "image-folder", "test"), (config.Model.MemoryFormat, config.Model.InputConvolution, config.Dataset.Kind, config.Dataset.Split));
        Assert.Equal(("pixel", "bfloat16", "all", "float16"), (config.FeatureVis.Parameterization, config.FeatureVis.Precision, config.Examples.Heatmaps, config.Examples.Precision));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"All\"", "\"every\""));
        Assert.Equal($"{path}: examples.heatmaps: 'every' is not classes, all or none", Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(path)).Message);
    }

    [Fact]
    public void Transform_input_false_is_accepted_for_any_zoo_network_since_it_changes_nothing()
    {
        using var folder = new TempFolder();
        var path = folder.File("resnet.json");
        File.WriteAllText(path, """{ "name": "r", "model": { "architecture": "resnet18", "checkpoint": "x.pth", "transformInput": false }, "dataset": { "kind": "image-folder", "path": "images" } }""");
        Assert.False(AtlasConfigLoader.Load(path).Model.TransformInput);
    }

    [Theory]
    [InlineData("demo-cnn", 3, "dataset.channels: model 'demo-cnn' takes 1-channel images, not 3 (leave it out to follow the model)")]
    [InlineData("resnet18", 1, "dataset.channels: model 'resnet18' takes 3-channel images, not 1 (leave it out to follow the model)")]
    [InlineData("resnet18", 3, null)]
    public void Dataset_channels_must_be_the_models(string architecture, int channels, string? expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("channels.json");
        File.WriteAllText(path, $$"""
            { "name": "channels", "model": { "architecture": "{{architecture}}", "checkpoint": "x.pth" },
              "dataset": { "kind": "image-folder", "path": "images", "channels": {{channels}} } }
            """);
        if (expected is null)
        {
            Assert.Equal(channels, AtlasConfigLoader.Load(path).Dataset.Channels);
            return;
        }
        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(path));
        Assert.Equal($"{path}: {expected}", error.Message);
    }

    [Theory]
    [InlineData("0", "examples.batchSize: must be positive (or null: sized from the device's memory)")]
    [InlineData("-5", "examples.batchSize: must be positive (or null: sized from the device's memory)")]
    [InlineData("null", null)]
    public void Examples_batch_size_is_positive_or_null(string value, string? expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("batch.json");
        File.WriteAllText(path, $$"""
            { "name": "batch", "model": { "architecture": "resnet18", "checkpoint": "x.pth" }, "dataset": { "kind": "image-folder", "path": "images" },
              "examples": { "batchSize": {{value}} } }
            """);
        if (expected is null)
        {
            Assert.Null(AtlasConfigLoader.Load(path).Examples.BatchSize);
            return;
        }
        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(path));
        Assert.Equal($"{path}: {expected}", error.Message);
    }

    [Fact]
    public void The_demo_config_keeps_its_native_geometry()
    {
        var config = AtlasConfigLoader.Load(Path.Combine(RepositoryPaths.Root, "atlas-configs", "demo-fashion-mnist.json"));
        Assert.Equal((28, 1), (config.Dataset.ImageSize, config.Dataset.Channels));
        Assert.Null(config.Dataset.ResizeShorterSide);
    }
}
