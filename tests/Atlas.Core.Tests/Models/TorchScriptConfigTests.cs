using Atlas.Core.Configuration;

namespace Atlas.Core.Tests.Models;

/// <summary>The model fields of a config that describe a TorchScript network, and their one-line errors.</summary>
public class TorchScriptConfigTests
{
    /// <param name="model">Model fields after the checkpoint, JSON with ' for " (readable in attributes).</param>
    private static string Write(TempFolder folder, string model, string dataset = "")
    {
        model = model.Replace('\'', '"');
        dataset = dataset.Replace('\'', '"');
        var path = folder.File("atlas.json");
        File.WriteAllText(path, $$"""
            { "name": "own", "model": { "architecture": "torchscript", "checkpoint": "model.pt"{{model}} },
              "dataset": { "kind": "image-folder", "path": "images"{{dataset}} } }
            """);
        return path;
    }

    [Fact]
    public void The_data_set_follows_the_models_size_and_channels()
    {
        using var folder = new TempFolder();
        var path = Write(folder, """, "inputSize": 64, "inputChannels": 1, "outputs": ["block1", "head.fc"], "mean": [0.5], "std": [0.25]""");

        var config = AtlasConfigLoader.Load(path);

        Assert.Equal((64, 1), (config.Dataset.ImageSize, config.Dataset.Channels));
        Assert.Equal(["block1", "head.fc"], config.Model.Outputs);
        Assert.Equal(folder.File("model.pt"), config.Model.Checkpoint);
    }

    [Fact]
    public void The_shipped_example_config_only_lacks_the_archive_and_the_images()
    {
        var config = AtlasConfigLoader.Load(Path.Combine(RepositoryPaths.Root, "atlas-configs", "torchscript.json"));

        Assert.Equal((224, 3), (config.Dataset.ImageSize, config.Dataset.Channels));
        Assert.Equal(["relu", "layer1", "layer2", "layer3", "layer4", "fc"], config.Model.Outputs);
        var error = Assert.Throws<AtlasInputException>(() => Atlas.Core.Models.ModelLoader.Load(config.Model, []));
        Assert.Equal("/path/to/model-atlas.pt: checkpoint file not found", error.Message);
    }

    [Fact]
    public void Three_channels_are_the_default()
    {
        using var folder = new TempFolder();
        var config = AtlasConfigLoader.Load(Write(folder, """, "inputSize": 32, "outputs": ["a"]"""));
        Assert.Equal((32, 3), (config.Dataset.ImageSize, config.Dataset.Channels));
    }

    [Theory]
    [InlineData(", 'outputs': ['a']", "", "model.inputSize: is required for a torchscript model (the side of the square images it takes)")]
    [InlineData(", 'inputSize': 32", "", "model.outputs: is required for a torchscript model: the names of the tensors its forward returns, in order")]
    [InlineData(", 'inputSize': 32, 'outputs': []", "", "model.outputs: is required for a torchscript model: the names of the tensors its forward returns, in order")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a', 'b', 'a']", "", "model.outputs: 'a' is named twice")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a/b']", "", "model.outputs: 'a/b' is not a usable layer name (letters, digits, '_', '-' or '.', starting with a letter or digit, at most 100)")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a'], 'inputChannels': 2", "", "model.inputChannels: must be 1 or 3")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a'], 'mean': [0.5]", "", "model.mean: has 1 values for 3 channels")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a'], 'std': [0.2, 0, 0.2]", "", "model.std: values must be positive")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a']", """, "channels": 1""", "dataset.channels: the torchscript model takes 3-channel images (model.inputChannels), not 1")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a'], 'train': {}", "", "model.train: only the 'demo-cnn' architecture can be trained here")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a', 'b'], 'preActivations': { 'c': 'a' }", "", "model.preActivations: 'c' is not one of model.outputs")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a', 'b'], 'preActivations': { 'b': 'x' }", "", "model.preActivations: 'x' (the value before 'b') is not one of model.outputs")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a', 'b', 'c'], 'preActivations': { 'b': 'a', 'c': 'b' }", "", "model.preActivations: 'b' cannot be both a layer and the value before one")]
    [InlineData(", 'inputSize': 32, 'outputs': ['a', 'b', 'c'], 'preActivations': { 'b': 'a', 'c': 'a' }", "", "model.preActivations: 'a' is the value before more than one layer")]
    public void Missing_or_inconsistent_fields_are_named(string model, string dataset, string expected)
    {
        using var folder = new TempFolder();
        var path = Write(folder, model, dataset);

        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(path));

        Assert.Equal($"{path}: {expected}", error.Message);
    }

    [Theory]
    [InlineData("outputs", "[\"a\"]")]
    [InlineData("preActivations", "{ \"a\": \"b\" }")]
    [InlineData("inputChannels", "3")]
    public void A_zoo_architecture_refuses_the_torchscript_fields(string field, string value)
    {
        using var folder = new TempFolder();
        var path = folder.File("zoo.json");
        File.WriteAllText(path, $$"""
            { "name": "zoo", "model": { "architecture": "resnet18", "checkpoint": "x.pth", "{{field}}": {{value}} },
              "dataset": { "kind": "image-folder", "path": "images" } }
            """);

        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(path));

        Assert.Equal($"{path}: model.{field}: only torchscript models take this (a zoo architecture has its own layers and input convention)", error.Message);
    }
}
