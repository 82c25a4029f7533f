using Atlas.Core;
using Atlas.Core.Configuration;
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
    /// <summary>How a bench network is prepared: compute type and the working copy's rewrites.</summary>
    public sealed record NetworkVariant(ScalarType Precision, bool ChannelsLast, bool Fold, bool ScatterPools = false, bool MergeBranches = false, bool InputSpaceToDepth = false);

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

    /// <summary>
    /// A model prepared as the engine's working copies are: batch norms folded (when asked), converted to the
    /// variant's type, then channels-last, scatter pools, merged Inception 1×1 convolutions and the
    /// input convolution as space to depth (each when asked).
    /// The same seed builds the same weights, so every variant computes the same network. The second result
    /// names the rewrites that took effect (", bn folded, …"; empty when none did).
    /// </summary>
    public static (IAtlasModel Model, string Rewrites) BuildVariant(string architecture, int? size, NetworkVariant variant) =>
        Prepare(Build(architecture, size), variant);

    /// <summary>
    /// The model of an atlas config (its checkpoint, frozen on the runtime's device) prepared as <see cref="BuildVariant"/>
    /// prepares a random one, so a bench can measure a user's own network.
    /// </summary>
    public static (IAtlasModel Model, string Rewrites) LoadVariant(AtlasConfig config, IReadOnlyList<string> classNames, NetworkVariant variant) =>
        Prepare(ModelLoader.Load(config.Model with { MemoryFormat = "contiguous" }, classNames), variant); // the variant decides the layout

    private static (IAtlasModel Model, string Rewrites) Prepare(IAtlasModel model, NetworkVariant variant)
    {
        bool folded = variant.Fold && model.FoldBatchNorm() > 0;
        if (variant.Precision != ScalarType.Float32) model.ConvertTo(variant.Precision);
        if (variant.ChannelsLast) ChannelsLast.Apply(model.Network);
        if (variant.ScatterPools) MaxPoolGradient.Apply(model.Network);
        bool merged = variant.MergeBranches && model.MergeBranchConvolutions() > 0;
        bool rearranged = variant.InputSpaceToDepth && model.SpaceToDepthInputConvolutions() > 0;
        return (model, (folded ? ", bn folded" : "") + (variant.ScatterPools ? ", scatter pools" : "") + (merged ? ", 1×1 merged" : "")
            + (rearranged ? ", input conv space to depth" : ""));
    }

    /// <summary>How a bench's --pixels says pixels travel to the device (null: the scanner's default); "both" measures each.</summary>
    public static IReadOnlyList<bool?> Transfers(string pixels) => pixels switch
    {
        "auto" => [null],
        "bytes" => [true],
        "float32" => [false],
        "both" => [false, true],
        _ => throw new AtlasInputException($"--pixels: '{pixels}' is not auto, bytes, float32 or both"),
    };

    /// <summary>
    /// The compute types a bench's --precision asks for, one figure each: "auto" (examples.precision's choice on this
    /// device), a name, a comma-separated list of names, "both" (float32 and bfloat16) or "all" (also float16).
    /// </summary>
    public static IReadOnlyList<ScalarType> Precisions(string precision) => precision switch
    {
        "both" => [ScalarType.Float32, ScalarType.BFloat16],
        "all" => [ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16],
        _ => precision.Split(',', StringSplitOptions.TrimEntries).Select(name => name switch
        {
            "auto" => Core.Examples.ScanPrecision.For("auto", TorchRuntime.Device),
            "float32" => ScalarType.Float32,
            "bfloat16" => ScalarType.BFloat16,
            "float16" => ScalarType.Float16,
            _ => throw new AtlasInputException($"--precision: '{name}' is not auto, float32, bfloat16, float16, both or all"),
        }).Distinct().ToList(),
    };

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

    /// <summary>Whether a bench's --max-pool gives the pools the scatter backward (as atlas runs do on a GPU); "both" measures each.</summary>
    public static IReadOnlyList<bool> PoolBackwards(string maxPool) => maxPool switch
    {
        "both" => [false, true],
        "auto" or "native" or "scatter" => [MaxPoolGradient.For(maxPool, TorchRuntime.Device)],
        _ => throw new AtlasInputException($"--max-pool: '{maxPool}' is not auto, native, scatter or both"),
    };

    /// <summary>
    /// Whether a bench's --branch-convolutions merges each Inception block's 1×1 convolutions of a network computing
    /// in <paramref name="type"/> (as atlas runs do); "both" measures each.
    /// </summary>
    public static IReadOnlyList<bool> BranchMerges(string branchConvolutions, ScalarType type) => branchConvolutions switch
    {
        "both" => [false, true],
        "auto" or "merged" or "separate" => [InceptionMerging.For(branchConvolutions, TorchRuntime.Device, type)],
        _ => throw new AtlasInputException($"--branch-convolutions: '{branchConvolutions}' is not auto, merged, separate or both"),
    };

    public const string MaxPoolHelp = "max-pool backward: auto (scatter on a GPU), native, scatter, or both (one figure each)";

    public const string BatchNormHelp = "Batch norms: folded into the convolutions (as atlas runs do), kept, or both (one figure each)";

    /// <summary>
    /// Whether a bench's --input-convolution computes the convolution that reads the image of a network computing
    /// in <paramref name="type"/> as space to depth (as atlas runs do on a GPU); "both" measures each.
    /// </summary>
    public static IReadOnlyList<bool> InputSpaceToDepth(string inputConvolution, ScalarType type) => inputConvolution switch
    {
        "both" => [false, true],
        "auto" or "native" or "spaceToDepth" => [InputConvolution.For(inputConvolution, TorchRuntime.Device, type)],
        _ => throw new AtlasInputException($"--input-convolution: '{inputConvolution}' is not auto, native, spaceToDepth or both"),
    };

    public const string InputHelp = "Convolution that reads the image: auto (space to depth on a GPU), native, spaceToDepth, or both (one figure each)";

    public const string BranchHelp = "Inception 1×1 convolutions: auto (merged on a GPU in bfloat16), merged, separate, or both (one figure each)";

    public const string LayoutHelp = "Memory layout: auto (channels-last), contiguous, channelsLast, or both (one figure each)";
}
