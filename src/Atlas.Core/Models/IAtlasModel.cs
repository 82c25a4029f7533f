using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// A network the atlas can look inside. Inputs are always pixels in [0,1] (N×C×H×W); the model
/// applies its own normalization, so renderers and dataset scanners never need to know it.
/// </summary>
public interface IAtlasModel : IDisposable
{
    string Architecture { get; }
    InputSpec Input { get; }

    /// <summary>Names of the layers that can be atlas layers, in forward order.</summary>
    IReadOnlyList<string> LayerNames { get; }

    /// <summary>Class names for the logits layer, when known.</summary>
    IReadOnlyList<string> ClassNames { get; }

    nn.Module Network { get; }

    /// <summary>
    /// Identity of the code that computes the layers, when it comes with the checkpoint (a TorchScript archive's
    /// compiled forward); null for networks the atlas builds itself, whose code is the program's. Version
    /// comparison counts it as part of every layer's weights.
    /// </summary>
    string? CodeDigest => null;

    /// <summary>
    /// Runs the network on <paramref name="pixels"/> and returns the activations of the requested
    /// layers, stopping after the deepest one. <paramref name="preActivation"/> returns the value
    /// before the layer's ReLU, which always has a gradient (feature visualization of units that are
    /// dead at the start needs it). The caller owns and disposes the returned tensors.
    /// </summary>
    IReadOnlyDictionary<string, Tensor> Activations(Tensor pixels, IReadOnlyCollection<string> layers, bool preActivation = false);

    /// <summary>Final logits for [0,1] pixels.</summary>
    Tensor Logits(Tensor pixels);

    /// <summary>
    /// The floating-point type the network computes in. Pixels are cast to it after normalization, so
    /// callers always pass float32 [0,1] pixels and read activations of this type.
    /// </summary>
    ScalarType ComputeType => ScalarType.Float32;

    /// <summary>
    /// Converts the network's weights to <paramref name="type"/> in place (bfloat16 for fast rendering on a
    /// GPU). Models that cannot cast their inputs say so.
    /// </summary>
    void ConvertTo(ScalarType type) => throw new NotSupportedException($"model '{Architecture}' computes in float32 only");

    /// <summary>
    /// Folds evaluation-mode batch norms into the convolutions before them (<see cref="BatchNormFolding"/>), for a
    /// copy that only renders: values agree up to rounding, but the parameters are no longer the checkpoint's.
    /// Returns how many were folded (0 for a model without batch norms).
    /// </summary>
    int FoldBatchNorm() => 0;

    /// <summary>
    /// In a copy whose batch norms are folded, merges the 1×1 convolutions that read the same input into one
    /// (<see cref="InceptionMerging"/>: GoogLeNet's Inception blocks). Values agree up to rounding. Returns how
    /// many blocks were merged (0 for a model without such blocks).
    /// </summary>
    int MergeBranchConvolutions() => 0;

    /// <summary>
    /// In a working copy, computes each strided convolution over an image's few channels as space to depth and a
    /// stride-1 convolution (<see cref="InputConvolution"/>). Values agree up to rounding. Returns how many were replaced.
    /// </summary>
    int SpaceToDepthInputConvolutions() => 0;
}
