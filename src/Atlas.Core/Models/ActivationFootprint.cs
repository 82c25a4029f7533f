using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// The bytes one input occupies in a network's layer outputs, from the layer catalog: what both the
/// renderer and the dataset pass size their batches from. It counts the input and every catalogued layer
/// up to the deepest one read, at the given input size and compute type; callers multiply it by what the
/// catalog does not list (tensors inside blocks, gradients).
/// </summary>
public static class ActivationFootprint
{
    public static long Bytes(IAtlasModel model, IReadOnlyList<LayerInfo> catalog, IEnumerable<string> layers, int height, int width)
    {
        var read = layers.ToHashSet(StringComparer.Ordinal);
        int deepest = catalog.Select((l, i) => read.Contains(l.Name) ? i : -1).Max();
        if (deepest < 0) throw new ArgumentException("none of the layers read is in the catalog", nameof(layers));
        // The catalog was measured at the model's input size; activations scale with the input's area.
        double area = (double)height * width / (model.Input.Height * model.Input.Width);
        double values = model.Input.Channels * height * width
            + catalog.Take(deepest + 1).Sum(l => l.IsSpatial ? l.Channels * l.Height * l.Width * area : l.Channels);
        return (long)Math.Ceiling(values * ElementSize(model.ComputeType));
    }

    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 => 8,
        ScalarType.BFloat16 or ScalarType.Float16 => 2,
        _ => 4,
    };
}
