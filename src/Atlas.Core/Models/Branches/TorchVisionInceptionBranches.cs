using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Branches;

/// <summary>
/// <see cref="IBranchedBlock"/> over TorchVision's Inception blocks as TorchSharp builds them: GoogLeNet's, whose four
/// branches are one field each, and Inception v3's <c>InceptionA</c> (Mixed_5b–5d), <c>InceptionC</c> (Mixed_6b–6e)
/// and <c>InceptionE</c> (Mixed_7b, 7c), whose branches chain several conv blocks, the last starting with the 3×3
/// average pool the block's forward applies to its input. The classes are private, so the fields are read by
/// reflection, as <see cref="InceptionMerging"/> reads them, and their names are TorchSharp's: if an upgrade renames
/// them, no block is found and <c>BranchedBlockTests</c> fails. (Inception v3's grid reductions are the project's own
/// <see cref="Zoo.InceptionReductionBlock"/>.)
/// </summary>
internal sealed class TorchVisionInceptionBranches : IBranchedBlock
{
    /// <summary>The 3×3 average pool (stride 1, padding 1) Inception v3's blocks apply before the pool branch's conv block.</summary>
    private const string AveragePool = "avg_pool2d";

    /// <summary>Each branch's fields in the order the block's forward runs them, branches in concatenation order.</summary>
    private static readonly Dictionary<string, string[][]> Chains = new(StringComparer.Ordinal)
    {
        ["Inception"] = [["branch1"], ["branch2"], ["branch3"], ["branch4"]],
        ["InceptionA"] = [["branch1x1"], ["branch5x5_1", "branch5x5_2"], ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"], [AveragePool, "branch_pool"]],
        ["InceptionC"] = [["branch1x1"], ["branch7x7_1", "branch7x7_2", "branch7x7_3"],
            ["branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5"], [AveragePool, "branch_pool"]],
        // Two of InceptionE's branches fork: one conv block (two, in the double 3×3) feeds two whose outputs sit side by
        // side in the block's output. Each half is a chain here that starts with the shared blocks; chains in a row
        // that start alike run their common start once, as a shared head (see Forks).
        ["InceptionE"] = [["branch1x1"], ["branch3x3_1", "branch3x3_2a"], ["branch3x3_1", "branch3x3_2b"],
            ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3a"], ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3b"], [AveragePool, "branch_pool"]],
    };

    private readonly nn.Module block;
    private readonly (string[] Head, string[][] Tails)[] forks;

    private TorchVisionInceptionBranches(nn.Module block, string[][] chains, IReadOnlyList<long> channels)
    {
        this.block = block;
        forks = [.. Forks(chains)];
        BranchChannels = channels;
    }

    public IReadOnlyList<long> BranchChannels { get; }

    /// <summary>The block's branches, when <paramref name="block"/> is one of the blocks above and each branch ends in a convolution and a ReLU.</summary>
    public static TorchVisionInceptionBranches? Of(nn.Module block)
    {
        if (!Chains.TryGetValue(block.GetType().Name, out var chains)) return null;
        var channels = new List<long>();
        foreach (var chain in chains)
        {
            if (Walk(block, chain) is not { } steps || steps[^1].Module is not ReLU
                || BranchRowsForward.OutputChannels([.. steps.Select(s => s.Module).OfType<nn.Module<Tensor, Tensor>>()]) is not { } width)
                return null;
            channels.Add(width);
        }
        return new TorchVisionInceptionBranches(block, chains, channels);
    }

    /// <summary>
    /// A chain's steps in forward order, each with its module (none for the average pool); null where a field is
    /// missing or is not a chain of modules. Read anew for each call: a later rewrite (the scatter max-pool) may
    /// replace some of the modules.
    /// </summary>
    private static List<(Func<Tensor, Tensor> Step, nn.Module? Module)>? Walk(nn.Module block, string[] chain)
    {
        var steps = new List<(Func<Tensor, Tensor>, nn.Module?)>();
        foreach (var name in chain)
        {
            if (name == AveragePool)
            {
                steps.Add((x => nn.functional.avg_pool2d(x, kernel_size: 3, stride: 1, padding: 1), null));
                continue;
            }
            if (block.GetType().GetField(name, ChildReplacement.Fields)?.GetValue(block) is not nn.Module field
                || BranchRowsForward.Flatten(field) is not { } leaves)
                return null;
            steps.AddRange(leaves.Select(m => ((Func<Tensor, Tensor>)m.call, (nn.Module?)m)));
        }
        return steps.Count > 0 ? steps : null;
    }

    private IReadOnlyList<Func<Tensor, Tensor>> Steps(string[] chain) =>
        Walk(block, chain) is { } steps ? [.. steps.Select(s => s.Step)]
            : throw new InvalidOperationException($"an Inception block's branch {string.Join(" → ", chain)} is no longer a chain of modules");

    public Tensor Forward(Tensor input, BranchRows rows, bool preActivation)
    {
        var branches = new List<BranchRowsForward.Branch>();
        foreach (var (head, tails) in forks)
        {
            var shared = head.Length == 0 ? null : new BranchRowsForward.SharedHead(Steps(head));
            branches.AddRange(tails.Select(tail => new BranchRowsForward.Branch(Steps(tail), Head: shared)));
        }
        return BranchRowsForward.Run([.. branches.Select(_ => input)], branches, BranchChannels, rows, preActivation);
    }

    /// <summary>
    /// The chains as forks: chains in a row that start with the same field, split into the fields they all start
    /// with (the head, empty for a chain alone) and what each runs after it (never empty: each ends in its ReLU).
    /// </summary>
    private static IEnumerable<(string[] Head, string[][] Tails)> Forks(string[][] chains)
    {
        for (int k = 0, width; k < chains.Length; k += width)
        {
            for (width = 1; k + width < chains.Length && chains[k + width][0] == chains[k][0]; width++) { }
            var group = chains[k..(k + width)];
            int shared = 0;
            if (width > 1)
                while (group.All(c => shared < c.Length - 1 && c[shared] == group[0][shared])) shared++;
            yield return (group[0][..shared], [.. group.Select(c => c[shared..])]);
        }
    }
}
