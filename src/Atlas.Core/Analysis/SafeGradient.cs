using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// ∂output/∂input for the analyses, or null when there is none. TorchSharp 0.107's <c>autograd.grad</c> does not
/// turn libtorch's errors into exceptions: an input the output was not computed from, or an output without a
/// gradient, aborts the whole process. Both can happen with a module the atlas did not build (a TorchScript
/// model that returns a copy of a layer, or a layer no later output reads), so they are checked here first.
/// </summary>
internal static class SafeGradient
{
    public static Tensor? Of(Tensor output, Tensor input)
    {
        if (!output.requires_grad || !input.requires_grad) return null;
        var gradient = autograd.grad([output], [input], allow_unused: true)[0];
        return gradient.IsInvalid ? null : gradient;
    }
}
