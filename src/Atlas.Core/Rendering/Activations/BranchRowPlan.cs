using Atlas.Core.Models;
using Atlas.Core.Models.Branches;

namespace Atlas.Core.Rendering;

/// <summary>
/// For a batch of pictures at one branched layer (an Inception block), which pictures read one branch only (every
/// term of their objective reads one channel, all in the same branch), and the order of the pictures that puts each
/// branch's together, then those that read more (diversity, directions). The block then runs each branch only for
/// its own pictures and the rest (<see cref="IBranchedBlock"/>). Rows never interact except through batch-wide terms
/// within a group, which follow their rows, so the order changes no picture.
/// </summary>
public sealed record BranchRowPlan(string Layer, IReadOnlyList<int> Order, BranchRows Rows)
{
    /// <summary>The plan for <paramref name="items"/>, or null when the model, the layer or the objectives give nothing to skip.</summary>
    public static BranchRowPlan? For(IAtlasModel model, IReadOnlyList<VisItem> items)
    {
        if (model is not IBranchedActivations branched) return null;
        var layers = items.SelectMany(i => i.Objective.Layers).Distinct().ToList();
        if (layers.Count != 1 || branched.BranchChannels(layers[0]) is not { } channels) return null;
        var ends = new long[channels.Count];
        long sum = 0;
        for (int k = 0; k < channels.Count; k++) ends[k] = sum += channels[k];
        int all = channels.Count;

        int BranchOf(VisItem item)
        {
            var reads = item.Objective.Terms.Select(t => t.Term.SingleChannel).ToList();
            if (reads.Any(c => c is null)) return all;
            var branches = reads.Select(c => Array.FindIndex(ends, end => c!.Value < end)).Distinct().ToList();
            return branches is [var only] && only >= 0 ? only : all;
        }

        var branchOf = items.Select(BranchOf).ToArray();
        if (branchOf.All(b => b == all)) return null;
        var order = Enumerable.Range(0, items.Count).OrderBy(i => branchOf[i]).ToList(); // stable: keeps each branch's rows in their order
        var perBranch = Enumerable.Range(0, all).Select(k => (long)branchOf.Count(b => b == k)).ToList();
        return new BranchRowPlan(layers[0], order, new BranchRows(perBranch, branchOf.Count(b => b == all)));
    }
}
