using Atlas.Core.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Examples;

/// <summary>Reads examples.precision: what the network computes in during the dataset pass.</summary>
public static class ScanPrecision
{
    public const string Choices = "float32, float16 or bfloat16";

    public static ScalarType For(string precision) => precision switch
    {
        "float32" => ScalarType.Float32,
        // float16 keeps 11 bits of mantissa to bfloat16's 8, so near-ties swap far less often, at the same
        // tensor-core speed; its range ends at 65,504, which DatasetExampleScanner checks every batch against.
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        var other => throw new AtlasInputException($"examples.precision: '{other}' is not {Choices}"),
    };

    public static bool IsKnown(string precision) => precision is "float32" or "float16" or "bfloat16";

    public static string Name(ScalarType type) => RenderPrecision.Name(type);
}
