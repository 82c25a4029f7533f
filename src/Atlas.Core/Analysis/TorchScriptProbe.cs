using Atlas.Core.Models;
using Atlas.Core.Models.TorchScript;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// <see cref="ILayerProbe"/> for a TorchScript model. Its layers are outputs of one compiled forward, which
/// also returns the logits, so ∂logits/∂layer is taken straight from the returned tensors (Grad-CAM works).
/// What lies between two outputs is compiled code the atlas cannot rewrite or read, so there are no direct
/// weights, and expanded weights (circuits) only where the archive brings a linearized path between the two
/// layers. A layer's weights are the parameters under the module of the same name, when the module that
/// computes an output was given the output's name.
/// </summary>
internal sealed class TorchScriptProbe(TorchScriptModel model) : ILayerProbe
{
    private readonly ParameterIndex parameters = new(model);

    public IAtlasModel Model => model;

    public LayerForward LogitsThrough(Tensor pixels, string layer)
    {
        int position = model.PositionOf(layer);
        int logits = model.LogitsPosition;
        var outputs = model.Forward(pixels);
        foreach (var (output, i) in outputs.Select((o, i) => (o, i)))
        {
            if (i != position && i != logits) output.Dispose();
        }
        var activation = outputs[position];
        // The logits layer is its own activation; a second handle keeps the two disposals independent.
        return position == logits ? new LayerForward(activation, activation.alias()) : new LayerForward(activation, outputs[logits]);
    }

    public Tensor? DirectWeights(string from, string to)
    {
        model.PositionOf(from);
        model.PositionOf(to);
        return null;
    }

    /// <summary>Compiled code cannot be linearized here: only where the archive brings a linearized path (scripts/export-torchscript.py writes them).</summary>
    public bool CanLinearize(string from, string to) => model.HasLinearPath(from, to);

    public Tensor LinearizedActivation(Tensor substitute, string from, string to) => model.Linearized(substitute, from, to);

    public IReadOnlyList<Tensor> LayerWeights(string layer) => parameters.Under(layer);

    public Tensor? InputFilters(string layer) => parameters.InputFilters(layer);
}
