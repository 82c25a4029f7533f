using Atlas.Core.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Examples;

/// <summary>Reads examples.precision: what the network computes in during the dataset pass.</summary>
public static class ScanPrecision
{
    public static string Choices => Configuration.ConfigChoices.Listed(Configuration.ConfigChoices.ScanPrecisions);

    public static ScalarType For(string precision, Device device) => precision switch
    {
        "float32" => ScalarType.Float32,
        // float16 keeps 11 bits of mantissa to bfloat16's 8, so near-ties swap less often, at the same tensor-core
        // speed. Its range ends at 65,504: DatasetExampleScanner checks every batch, and an overflow sends the pass
        // back to float32 (Float16OverflowException).
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        // On an H200 the float16 pass ran 15,250-15,740 images/s over 100,000 images against float32's 13,800-13,940, and kept 99.0 % of
        // each unit's top 9 on the trained demo CNN and its test images (89.6 % on random weights and noise images,
        // where near-ties are the rule), bench/RESULTS.md. On the CPU float16 is emulated and slow.
        "auto" => device.type == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.Float32,
        var other => throw new AtlasInputException($"examples.precision: '{other}' is not {Choices}"),
    };
}

/// <summary>
/// A float16 dataset pass met an activation beyond float16's range (or a NaN that followed one): its rankings
/// would be wrong, so the atlas's shard is redone in float32 (ExampleShardUnit).
/// </summary>
public sealed class Float16OverflowException(string layer, int firstImage, int lastImage)
    : Exception($"examples.precision: float16 overflowed in layer '{layer}' (an activation beyond ±65,504) on images {firstImage}–{lastImage}")
{
    public string Layer { get; } = layer;
}
