using static TorchSharp.torch;

namespace Atlas.Core.Models.Branches;

/// <summary>
/// <see cref="IBranchedBlock"/> over TorchVision's GoogLeNet Inception block as TorchSharp builds it: four branches
/// that each read the block's input, in the fields branch1 … branch4. The class is private, so the branches are read
/// by reflection, as <see cref="InceptionMerging"/> reads them.
/// </summary>
internal sealed class TorchVisionInceptionBranches : IBranchedBlock
{
    private static readonly string[] Names = ["branch1", "branch2", "branch3", "branch4"];
    private readonly nn.Module block;

    private TorchVisionInceptionBranches(nn.Module block, IReadOnlyList<long> channels)
    {
        this.block = block;
        BranchChannels = channels;
    }

    public IReadOnlyList<long> BranchChannels { get; }

    /// <summary>The block's branches, when <paramref name="block"/> is TorchVision's Inception block and each branch ends in a convolution and a ReLU.</summary>
    public static TorchVisionInceptionBranches? Of(nn.Module block)
    {
        if (block.GetType().Name != "Inception" || Branches(block) is not { } branches) return null;
        var channels = branches.Select(BranchRowsForward.OutputChannels).ToList();
        return channels.All(c => c is not null) ? new TorchVisionInceptionBranches(block, [.. channels.Select(c => c!.Value)]) : null;
    }

    /// <summary>Read anew for each call: a later rewrite (the scatter max-pool) may replace a branch's modules.</summary>
    private static IReadOnlyList<IReadOnlyList<nn.Module<Tensor, Tensor>>>? Branches(nn.Module block)
    {
        var branches = new List<IReadOnlyList<nn.Module<Tensor, Tensor>>>();
        foreach (var name in Names)
        {
            if (block.GetType().GetField(name, ChildReplacement.Fields)?.GetValue(block) is not nn.Module<Tensor, Tensor> branch
                || BranchRowsForward.Leaves(branch) is not { } leaves)
                return null;
            branches.Add(leaves);
        }
        return branches;
    }

    public Tensor Forward(Tensor input, BranchRows rows, bool preActivation) =>
        BranchRowsForward.Run([input, input, input, input],
            Branches(block) ?? throw new InvalidOperationException("an Inception block's branches no longer end in a ReLU"),
            BranchChannels, rows, preActivation);
}
