using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// <see cref="ILayerProbe"/> for the demo CNN. Its atlas layers are the post-ReLU outputs of its
/// stages, so the activation is taken from the stage tap. Adjacent layers are joined directly:
/// conv2 and conv3 read a 2×2 max-pool of the previous layer, which the weight view treats as a
/// pass-through (it has no weights; the kernel shows how the conv reads the pooled map), and the
/// logits read conv3's 64×7×7 map, so their weights are shown as one 7×7 kernel per conv3 channel.
/// No linearized forward: every pair of adjacent demo layers has direct weights.
/// </summary>
internal sealed class DemoCnnProbe(DemoCnnModel model) : ILayerProbe
{
    private readonly ParameterIndex parameters = new(model);

    public IAtlasModel Model => model;

    public LayerForward LogitsThrough(Tensor pixels, string layer)
    {
        LayerProbes.RequireLayer(model, layer);
        using var normalized = model.Normalize(pixels);
        Tensor? kept = null;
        // The stage output itself (not an alias) feeds the next stage, so it is the tensor to differentiate
        // with respect to; taking it out of the network's dispose scope hands it to the caller.
        var logits = model.Cnn.Stages(normalized, DemoCnn.Layers.Count, (name, _, post) =>
        {
            if (name == layer) kept = post.DetachFromDisposeScope();
        });
        // The logits layer is its own activation; a second handle keeps the two disposals independent.
        return ReferenceEquals(kept, logits) ? new LayerForward(kept!, logits.alias()) : new LayerForward(kept!, logits);
    }

    public Tensor? DirectWeights(string from, string to)
    {
        LayerProbes.RequireLayer(model, from);
        LayerProbes.RequireLayer(model, to);
        var layers = DemoCnn.Layers.ToList();
        if (layers.IndexOf(to) != layers.IndexOf(from) + 1) return null;
        var weight = parameters.Find($"{to}.weight") ?? throw new InvalidOperationException($"demo checkpoint has no {to}.weight");
        if (weight.dim() == 4) return weight.detach().clone();
        // A linear layer over a flattened C×H×W map: its weights per input channel are an H×W kernel.
        long channels = parameters.Find($"{from}.weight")!.shape[0];
        long positions = weight.shape[1] / channels;
        long side = (long)Math.Round(Math.Sqrt(positions));
        return weight.detach().reshape(weight.shape[0], channels, side, positions / side).clone();
    }

    public bool CanLinearize(string from, string to) => false;

    public Tensor LinearizedActivation(Tensor substitute, string from, string to) =>
        throw new NotSupportedException("the demo CNN joins its adjacent layers directly; it has no linearized forward");

    public IReadOnlyList<Tensor> LayerWeights(string layer) => parameters.Under(layer);

    public Tensor? InputFilters(string layer) => parameters.InputFilters(layer);
}
