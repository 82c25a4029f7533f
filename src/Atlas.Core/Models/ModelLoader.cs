using TorchSharp;
using System.Diagnostics;
using System.Security.Cryptography;
using Atlas.Core.Configuration;
using Atlas.Core.Models.Checkpoints;
using Atlas.Core.Models.TorchScript;
using Atlas.Core.Models.Zoo;
using Microsoft.Extensions.Logging;

namespace Atlas.Core.Models;

/// <summary>
/// Builds a zoo model by architecture name and loads its weights from a PyTorch (.pth/.pt zip),
/// safetensors or TorchSharp checkpoint, turning every failure into one clear line. The class count is
/// the checkpoint's (the row count of its logits weight), so fine-tuned checkpoints load as they are.
/// Architecture "torchscript" loads a network the zoo does not have from its TorchScript archive instead
/// (<see cref="TorchScriptLoader"/>).
/// </summary>
public static class ModelLoader
{
    public static IAtlasModel Load(string architecture, string checkpointPath, IReadOnlyList<string> classNames) =>
        Load(new ModelConfig { Architecture = architecture, Checkpoint = checkpointPath }, classNames);

    public static IAtlasModel Load(ModelConfig config, IReadOnlyList<string> classNames, ILogger? logger = null)
    {
        var (model, report) = LoadWithReport(config, classNames);
        if (logger is not null) StateDictLoader.Log(report, logger);
        // Common (an ImageNet network over one's own folders), and right to keep apart, but not to leave unsaid.
        if (logger is not null && classNames.Count > 0 && model.ClassNames.Count == 0)
            logger.LogWarning("The data set has {Classes}, not as many as the model has outputs, so its logit units are labelled by number, not by class name", Counted.Of(classNames.Count, "class", "classes"));
        return model;
    }

    /// <summary>
    /// Loads the model and says what loading did. Class names are kept only when their count matches the
    /// checkpoint's classes (a data set's folder names are not an ImageNet model's labels otherwise).
    /// </summary>
    public static (IAtlasModel Model, ModelLoadReport Report) LoadWithReport(ModelConfig config, IReadOnlyList<string> classNames)
    {
        if (TorchScriptInput.Is(config.Architecture)) return TorchScriptLoader.Load(config, classNames);
        TorchRuntime.Initialize();
        var architecture = ModelZoo.Get(config.Architecture);
        var input = architecture.InputFor(config);
        var clock = Stopwatch.StartNew();
        using var file = CheckpointReader.Read(config.Checkpoint, config.CheckpointEntry);
        var (tensors, prefix) = StateDictLoader.Keyed(file, architecture, config.KeyPrefix);
        int classes = StateDictLoader.Classes(tensors, architecture);
        var readTime = clock.Elapsed;

        var network = architecture.Create(new ZooBuildOptions(classes, config.TransformInput ?? false));
        try
        {
            var report = StateDictLoader.Apply(network, architecture, file, tensors, prefix, classes, input, readTime);
            ModelDevice.FreezeOnRuntimeDevice(network);
            if (ChannelsLast.For(config.MemoryFormat, TorchRuntime.Device)) ChannelsLast.Apply(network);
            var names = classNames.Count == classes ? classNames : [];
            return (architecture.WrapNetwork(network, input, names), report with { Elapsed = clock.Elapsed });
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Content hash of a checkpoint: the identity of an atlas version.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
