using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>Discovers a model's atlas layers and their shapes with one dry forward pass.</summary>
public static class LayerCatalog
{
    public static IReadOnlyList<LayerInfo> Measure(IAtlasModel model)
    {
        using var noGrad = no_grad();
        using var probe = zeros(1, model.Input.Channels, model.Input.Height, model.Input.Width, device: ModelDevice.Of(model));
        IReadOnlyDictionary<string, Tensor> activations;
        try
        {
            activations = model.Activations(probe, model.LayerNames);
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            // Most often a picture too small for the network (a pooling or convolution left with no pixels):
            // libtorch's own words, with the setting that changes the size.
            throw new AtlasInputException($"model.inputSize: the network cannot take a {model.Input.Channels}×{model.Input.Height}×{model.Input.Width} input ({TorchErrors.Summary(e)})", e);
        }
        try
        {
            return model.LayerNames.Select(name =>
            {
                var shape = activations[name].shape;
                return shape.Length switch
                {
                    4 => new LayerInfo(name, LayerKind.Conv, (int)shape[1], (int)shape[2], (int)shape[3]),
                    2 => new LayerInfo(name, LayerKind.Linear, (int)shape[1], 1, 1),
                    _ => throw new NotSupportedException($"layer '{name}' has an activation of rank {shape.Length}; atlas layers are N×C×H×W or N×C"),
                };
            }).ToList();
        }
        finally
        {
            foreach (var tensor in activations.Values) tensor.Dispose();
        }
    }

    /// <summary>The layers a config asks for, in forward order; unknown names are an input error naming the field.</summary>
    public static IReadOnlyList<LayerInfo> Select(IReadOnlyList<LayerInfo> catalog, IReadOnlyList<string>? requested, string field)
    {
        if (requested is null || requested.Count == 0) return catalog;
        foreach (var name in requested)
        {
            if (!catalog.Any(l => l.Name == name))
                throw new AtlasInputException($"{field}: unknown layer '{name}' (the model has: {string.Join(", ", catalog.Select(l => l.Name))})");
        }
        return catalog.Where(l => requested.Contains(l.Name)).ToList();
    }
}
