using Atlas.Core.Models;
using Atlas.Core.Models.TorchScript;
using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>Finds the <see cref="ILayerProbe"/> for a model.</summary>
public static class LayerProbes
{
    /// <summary>
    /// A model that implements <see cref="ILayerProbe"/> itself is used as it is; the demo CNN gets its
    /// own adapter (its layers are stages of one forward, not modules), and so does a TorchScript model (its
    /// layers are outputs of its forward); the TorchVision zoo is probed with
    /// forward hooks on the module of each layer ("conv1_2" is VGG's "features.3"), and any other model
    /// on modules named like its layers.
    /// </summary>
    public static ILayerProbe For(IAtlasModel model) => model switch
    {
        ILayerProbe probe => probe,
        DemoCnnModel demo => new DemoCnnProbe(demo),
        TorchScriptModel scripted => new TorchScriptProbe(scripted),
        HookedModel hooked => new ModuleHookProbe(model, layer => hooked.Layers.First(l => l.Name == layer).Module),
        _ => new ModuleHookProbe(model, layer => layer),
    };

    /// <summary>The layer must be one of the model's atlas layers; anything else is an input error naming the layer.</summary>
    public static void RequireLayer(IAtlasModel model, string layer)
    {
        if (!model.LayerNames.Contains(layer))
            throw new AtlasInputException($"model '{model.Architecture}' has no layer '{layer}' (layers: {string.Join(", ", model.LayerNames)})");
    }
}

/// <summary>
/// Weights looked up by parameter name: a layer's weights are the parameters of rank ≥ 2 under the
/// module of the same name (conv and linear weights, not biases or batch-norm scales).
/// </summary>
internal sealed class ParameterIndex(IAtlasModel model)
{
    private readonly IReadOnlyList<(string Name, Tensor Value)> parameters =
        model.Network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();

    public Tensor? Find(string name) => parameters.FirstOrDefault(p => p.Name == name).Value;

    public IReadOnlyList<Tensor> Under(string layer) =>
        parameters.Where(p => p.Name.StartsWith(layer + ".", StringComparison.Ordinal) && p.Value.dim() >= 2).Select(p => p.Value).ToList();

    /// <summary>The first atlas layer reads the image; when one 4-D weight with the image's channel count computes it, those are its filters.</summary>
    public Tensor? InputFilters(string layer)
    {
        if (model.LayerNames.Count == 0 || model.LayerNames[0] != layer) return null;
        var convs = Under(layer).Where(w => w.dim() == 4).ToList();
        return convs.Count == 1 && convs[0].shape[1] == model.Input.Channels ? convs[0] : null;
    }
}
