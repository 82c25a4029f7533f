using Atlas.Core.Models.Branches;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// A GoogLeNet Inception block whose three 1×1 convolutions that read the block's input (the 1×1 branch and
/// the reductions before the two 3×3 branches) run as one convolution with their output channels stacked.
/// The input is read once instead of three times, and in the backward pass its gradient comes from one
/// convolution instead of three summed ones. The stacked output is split back into the three branches, and
/// each gets its own ReLU under its old name, so <c>branch1.relu</c> still sees the 1×1 branch's
/// pre-activation. Built by <see cref="InceptionMerging"/>.
/// </summary>
public sealed class MergedInception : nn.Module<Tensor, Tensor>, IBranchedBlock
{
    // Field names are the registered child names (TorchSharp registers fields by name), so the
    // paths the layer catalog hooks (branch1.relu, branch2.1.relu, …) are those of the original block.
    private readonly nn.Module<Tensor, Tensor> reduce;
    private readonly nn.Module<Tensor, Tensor> branch1;
    private readonly nn.Module<Tensor, Tensor> branch2;
    private readonly nn.Module<Tensor, Tensor> branch3;
    private readonly nn.Module<Tensor, Tensor> branch4;
    private readonly long[] splits;

    /// <param name="reduce">The stacked 1×1 convolution: branch 1's channels, then branch 2's reduction, then branch 3's.</param>
    /// <param name="splits">How many of its output channels belong to each of the three.</param>
    /// <param name="branch1">Takes branch 1's slice (its ReLU).</param>
    /// <param name="branch2">Takes branch 2's slice (ReLU, then the 3×3 convolution block).</param>
    /// <param name="branch3">Takes branch 3's slice (as branch 2).</param>
    /// <param name="branch4">The pool branch, unchanged: it reads the block's input.</param>
    public MergedInception(nn.Module<Tensor, Tensor> reduce, long[] splits, nn.Module<Tensor, Tensor> branch1,
        nn.Module<Tensor, Tensor> branch2, nn.Module<Tensor, Tensor> branch3, nn.Module<Tensor, Tensor> branch4) : base("Inception")
    {
        this.reduce = reduce;
        this.splits = splits;
        this.branch1 = branch1;
        this.branch2 = branch2;
        this.branch3 = branch3;
        this.branch4 = branch4;
        RegisterComponents();
        BranchChannels = [splits[0], .. Leaves().Skip(1).Select(l => BranchRowsForward.OutputChannels(l)
            ?? throw new ArgumentException("the 3×3 and pool branches of a merged Inception block must end in a convolution block"))];
    }

    /// <summary>The branches' modules, read anew for each call: a later rewrite (the scatter max-pool) may replace some.</summary>
    private IReadOnlyList<IReadOnlyList<nn.Module<Tensor, Tensor>>> Leaves() =>
        [.. new[] { branch1, branch2, branch3, branch4 }.Select(b => BranchRowsForward.Leaves(b)
            ?? throw new InvalidOperationException("each branch of a merged Inception block must end in a ReLU"))];

    public IReadOnlyList<long> BranchChannels { get; }

    /// <summary>
    /// <see cref="IBranchedBlock.Forward"/>: the stacked 1×1 convolution runs once for every row (it is the
    /// block's cheapest part, and the rows of three branches read it), then each branch only for its own rows.
    /// </summary>
    public Tensor Forward(Tensor input, BranchRows rows, bool preActivation)
    {
        using var scope = NewDisposeScope();
        var slices = reduce.call(input).split(splits, 1);
        return BranchRowsForward.Run([slices[0], slices[1], slices[2], input], [.. Leaves().Select(l => BranchRowsForward.OfModules(l))], BranchChannels, rows, preActivation)
            .MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x)
    {
        using var stacked = reduce.call(x);
        // Views, not copies: each branch's ReLU writes its own (dense, same-layout) output, and the backward
        // of split is one concatenation of the three gradients.
        var slices = stacked.split(splits, 1);
        try
        {
            using var y1 = branch1.call(slices[0]);
            using var y2 = branch2.call(slices[1]);
            using var y3 = branch3.call(slices[2]);
            using var y4 = branch4.call(x);
            return cat([y1, y2, y3, y4], 1);
        }
        finally
        {
            foreach (var slice in slices) slice.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reduce.Dispose();
            branch1.Dispose();
            branch2.Dispose();
            branch3.Dispose();
            branch4.Dispose();
        }
        base.Dispose(disposing);
    }
}
