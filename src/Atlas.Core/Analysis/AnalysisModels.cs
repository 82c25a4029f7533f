using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Imaging;
using Atlas.Core.Models;
using Atlas.Core.Models.TorchScript;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// How the single-image verbs (activations, explain) find their model and image: <c>--model</c> is an
/// architecture name (then <c>--weights</c> names the checkpoint) or an atlas config file (its model
/// section, and its dataset's class names; <c>--weights</c> then overrides the checkpoint).
/// </summary>
public static class AnalysisModels
{
    /// <param name="imageFolder">With a config whose data set is an image folder: how its pass makes a file the model's
    /// pixels, which <see cref="ReadImage"/> then follows; null otherwise.</param>
    public static IAtlasModel Load(string modelArgument, string? weights, out ImageGeometry? imageFolder)
    {
        imageFolder = null;
        if (LooksLikeConfig(modelArgument))
        {
            var config = AtlasConfigLoader.Load(modelArgument);
            // The whole model section counts (input size, GoogLeNet's transformInput, a TorchScript model's outputs), not only its weights.
            var model = weights is null ? config.Model : config.Model with { Checkpoint = Path.GetFullPath(weights), CheckpointAsWritten = null };
            imageFolder = DatasetOpener.ImageFolderGeometry(config.Dataset);
            return ModelLoader.Load(model, ClassNamesOf(config.Dataset));
        }
        if (Directory.Exists(modelArgument))
            throw new AtlasInputException($"--model: '{modelArgument}' is a folder; give an architecture name (such as resnet18) or an atlas config file");
        if (TorchScriptInput.Is(modelArgument))
            throw new AtlasInputException($"--model: a {TorchScriptInput.ArchitectureName} model is described by an atlas config (model.outputs, model.inputSize); pass the config file");
        if (weights is null)
            throw new AtlasInputException($"--weights: a checkpoint file is required with --model {modelArgument}");
        // The demo architecture is the Fashion-MNIST model; the zoo models know their own classes.
        IReadOnlyList<string> classes = modelArgument == DemoCnn.ArchitectureName ? FashionMnist.ClassNames : [];
        return ModelLoader.Load(modelArgument, weights, classes);
    }

    /// <summary>
    /// Reads an image as the model takes it and returns it as 1×C×H×W pixels in [0,1]: as the config's image folder makes
    /// its pictures where <paramref name="imageFolder"/> says how, so the verb sees what the atlas ranked; otherwise at
    /// the model's size (<see cref="ImageFileReader.Read"/>).
    /// </summary>
    public static (Raster Image, Tensor Pixels) ReadImage(IAtlasModel model, string path, ImageGeometry? imageFolder)
    {
        var input = model.Input;
        var image = imageFolder is { } geometry ? ImageFileReader.ReadAsImageFolder(path, geometry) : ImageFileReader.Read(path, input.Channels, input.Height, input.Width);
        return (image, tensor(image.Pixels).view(1, image.Channels, image.Height, image.Width));
    }

    private static bool LooksLikeConfig(string argument) =>
        argument.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(argument);

    private static IReadOnlyList<string> ClassNamesOf(DatasetConfig dataset)
    {
        if (dataset.Kind == "fashion-mnist") return FashionMnist.ClassNames;
        try
        {
            using var data = DatasetOpener.Open(dataset);
            return data.ClassNames;
        }
        catch (AtlasInputException)
        {
            return []; // class names are a nicety here; the data need not be present to explain one image
        }
    }
}
