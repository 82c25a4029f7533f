using static TorchSharp.torch;

namespace Atlas.Core.Models.Branches;

/// <summary>
/// A model that can compute a branched layer (an Inception block, <see cref="IBranchedBlock"/>) for rows that each
/// read one branch only. The renderer uses it when every picture of a batch at such a layer reads one channel.
/// </summary>
public interface IBranchedActivations
{
    /// <summary>Output channels of each branch of <paramref name="layer"/>, in concatenation order; null where the layer is not branched.</summary>
    IReadOnlyList<long>? BranchChannels(string layer);

    /// <summary>
    /// <see cref="IAtlasModel.Activations"/> for one branched layer, its rows laid out as <paramref name="rows"/> says:
    /// a row of one branch holds zeros in the other branches' channels. The caller owns the returned tensor.
    /// </summary>
    Tensor BranchActivations(Tensor pixels, string layer, BranchRows rows, bool preActivation);
}
