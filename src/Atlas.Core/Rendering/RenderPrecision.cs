using Atlas.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>Reads featureVis.precision: the type a rendering network computes in on a device.</summary>
public static class RenderPrecision
{
    public static ScalarType For(string precision, Device device) => precision switch
    {
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        // bfloat16 halves memory traffic and uses the tensor cores on a GPU. On a CPU it only pays with native
        // bf16 instructions and channels-last (GoogLeNet 1.57× on this project's AVX512-BF16 machine, the demo
        // CNN not at all) and is emulated, slowly, elsewhere, so the CPU default stays float32.
        "auto" => device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32,
        var other => throw new AtlasInputException($"featureVis.precision: '{other}' is not auto, float32 or bfloat16"),
    };

    /// <summary>The network's compute type and, when it is not the default, its memory layout: "bfloat16, channels-last".</summary>
    public static string Describe(IAtlasModel model) =>
        ChannelsLast.Uses(model.Network) ? $"{Name(model.ComputeType)}, channels-last" : Name(model.ComputeType);

    public static string Name(ScalarType type) => type switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => "float32",
    };
}
