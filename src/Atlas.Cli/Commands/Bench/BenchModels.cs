using Atlas.Core;
using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// Models for benchmarks: random weights from a fixed seed (a step costs the same whatever the weights
/// are, and two builds are the same network), frozen, on the runtime's device.
/// </summary>
public static class BenchModels
{
    public static IAtlasModel Build(string architecture, int? size = null, long seed = 0)
    {
        TorchRuntime.Initialize();
        random.manual_seed(seed);
        IAtlasModel model;
        if (architecture == DemoCnn.ArchitectureName)
        {
            if (size is not null and not 28) throw new AtlasInputException("--size: the demo CNN takes 28×28 images only");
            model = new DemoCnnModel(new DemoCnn(), []);
        }
        else
        {
            var zoo = ModelZoo.Get(architecture);
            model = zoo.WrapNetwork(zoo.Create(new ZooBuildOptions(zoo.DefaultClasses, TransformInput: false)), zoo.InputFor(size), []);
        }
        ModelDevice.FreezeOnRuntimeDevice(model.Network);
        return model;
    }

    /// <summary>The memory layouts a bench's --memory-format asks for (false = contiguous): "both" measures each in one run.</summary>
    public static IReadOnlyList<bool> Layouts(string memoryFormat) => memoryFormat switch
    {
        "both" => [false, true],
        "auto" or "contiguous" or "channelsLast" => [ChannelsLast.For(memoryFormat, TorchRuntime.Device)],
        _ => throw new AtlasInputException($"--memory-format: '{memoryFormat}' is not auto, contiguous, channelsLast or both"),
    };

    /// <summary>Whether a bench's --batch-norm folds batch norms into the convolutions (as atlas runs do); "both" measures each.</summary>
    public static IReadOnlyList<bool> Folds(string batchNorm) => batchNorm switch
    {
        "folded" => [true],
        "kept" => [false],
        "both" => [false, true],
        _ => throw new AtlasInputException($"--batch-norm: '{batchNorm}' is not folded, kept or both"),
    };

    public const string BatchNormHelp = "Batch norms: folded into the convolutions (as atlas runs do), kept, or both (one figure each)";

    public const string LayoutHelp = "Memory layout: auto (channels-last), contiguous, channelsLast, or both (one figure each)";
}
