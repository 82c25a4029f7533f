using static TorchSharp.torch;

namespace Atlas.Core.Models.Branches;

/// <summary>
/// A block whose output is its branches' outputs concatenated along the channels (an Inception block), so that a
/// row that reads only one branch's channels needs only that branch computed. Feature visualization renders one
/// channel per picture, and at an Inception layer each picture then pays for a quarter of the block, forward and
/// backward, instead of all of it.
/// </summary>
public interface IBranchedBlock
{
    /// <summary>Output channels of each branch, in concatenation order.</summary>
    IReadOnlyList<long> BranchChannels { get; }

    /// <summary>
    /// The block's output (or, with <paramref name="preActivation"/>, each branch's value before its last ReLU,
    /// concatenated the same way) for input rows laid out as <paramref name="rows"/> says. A row of branch k holds
    /// branch k's values in branch k's channels and zeros in every other; a row of <see cref="BranchRows.All"/> holds
    /// the whole block's values. Values equal the whole block's up to float rounding.
    /// </summary>
    Tensor Forward(Tensor input, BranchRows rows, bool preActivation);
}

/// <summary>
/// How the rows of a batch are laid out for <see cref="IBranchedBlock.Forward"/>: first <c>PerBranch[0]</c> rows
/// that read only branch 0, then those of branch 1, and so on, and last <see cref="All"/> rows that read every branch.
/// </summary>
public sealed record BranchRows(IReadOnlyList<long> PerBranch, long All)
{
    public long Total => PerBranch.Sum() + All;

    /// <summary>The first row of branch <paramref name="branch"/>'s rows (<c>PerBranch.Count</c>: of the all-branch rows).</summary>
    public long Start(int branch) => PerBranch.Take(branch).Sum();
}
