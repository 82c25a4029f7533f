using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Puts <see cref="ScatterMaxPool2d"/> in the place of every <see cref="MaxPool2d"/> of a network, in a
/// rendering working copy (<see cref="ChildReplacement"/>: in <see cref="Sequential"/> lists, and in the
/// fields where TorchVision's GoogLeNet and ResNet keep their stem pools).
/// </summary>
public static class MaxPoolGradient
{
    /// <summary>Reads model.maxPoolBackward: whether pools on <paramref name="device"/> get the scatter backward.</summary>
    public static bool For(string maxPoolBackward, Device device) => maxPoolBackward switch
    {
        "scatter" => true,
        "native" => false,
        // Measured on an H200 only (bench/RESULTS.md); on the CPU libtorch's own backward is kept.
        "auto" => device.type == DeviceType.CUDA,
        var other => throw new AtlasInputException($"model.maxPoolBackward: '{other}' is not auto, native or scatter"),
    };

    /// <summary>Replaces the pools in place; returns how many it replaced.</summary>
    public static int Apply(nn.Module network) => ChildReplacement.ReplaceAll<MaxPool2d>(network, pool => new ScatterMaxPool2d(pool));
}
