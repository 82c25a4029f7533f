using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// What the lecture's analyses (Grad-CAM, circuits, filter weights) need from a model beyond
/// <see cref="IAtlasModel"/>: a layer activation that is still part of the autograd graph, the
/// weights between layers, and optionally a linearized forward. Kept out of IAtlasModel so models
/// gain it through an adapter (<see cref="LayerProbes.For"/>) or by implementing it themselves.
/// </summary>
public interface ILayerProbe
{
    IAtlasModel Model { get; }

    /// <summary>
    /// Runs [0,1] pixels to the logits. The returned activation of <paramref name="layer"/> is the
    /// tensor the rest of the network consumed, so ∂logits/∂activation can be taken with
    /// <c>torch.autograd.grad</c> (call it with gradients enabled). The caller disposes the result.
    /// </summary>
    LayerForward LogitsThrough(Tensor pixels, string layer);

    /// <summary>
    /// The weights with which <paramref name="to"/> reads <paramref name="from"/>'s activation directly,
    /// as [C_to, C_from, kh, kw] (a linear layer reading a spatial map gives its weights per position),
    /// or null when anything with weights lies between them. The caller disposes the tensor.
    /// </summary>
    Tensor? DirectWeights(string from, string to);

    /// <summary>Whether <see cref="LinearizedActivation"/> is available from <paramref name="from"/> to <paramref name="to"/>.</summary>
    bool CanLinearize(string from, string to);

    /// <summary>
    /// <paramref name="to"/>'s activation when <paramref name="from"/>'s activation is replaced by
    /// <paramref name="substitute"/> (N×C×H×W, N images), on the network with every ReLU replaced by
    /// the identity and every max-pool by an average pool of the same window (a zoo MobileNetV3 also passes its
    /// Hardswish and squeeze-and-excitation inputs on): the linear path that
    /// expanded weights are the gradient of.
    /// </summary>
    Tensor LinearizedActivation(Tensor substitute, string from, string to);

    /// <summary>Every weight tensor (rank ≥ 2) that computes <paramref name="layer"/>; not copies, do not dispose.</summary>
    IReadOnlyList<Tensor> LayerWeights(string layer);

    /// <summary>
    /// The filters that read the input image to produce <paramref name="layer"/>, [C_out, C_in, kh, kw],
    /// or null when the layer does not read the image through one convolution. Not a copy, do not dispose.
    /// </summary>
    Tensor? InputFilters(string layer);
}

/// <summary>A layer's activation (in the autograd graph) and the logits computed from it.</summary>
public sealed record LayerForward(Tensor Activation, Tensor Logits) : IDisposable
{
    public void Dispose()
    {
        Activation.Dispose();
        Logits.Dispose();
    }
}
