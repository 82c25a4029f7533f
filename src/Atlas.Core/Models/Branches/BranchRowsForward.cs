using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Branches;

/// <summary>
/// The part of <see cref="IBranchedBlock.Forward"/> every branched block shares: given each branch's input for all
/// rows, runs each branch once, on its own rows followed by the all-branch rows, and lays the results out as the
/// block's output. A branch runs as a list of steps (the leaf modules of its <see cref="Sequential"/>s, and the
/// functions its block's forward calls between them), the last usually its ReLU, so that its value before that ReLU
/// can be returned without running it (it may work in place).
/// </summary>
internal static class BranchRowsForward
{
    /// <summary>
    /// One branch's steps in forward order. When <paramref name="EndsInActivation"/>, the last is its ReLU, which the
    /// pre-activation leaves out; a branch without one (a reduction block's max-pool) gives its output as it is.
    /// Consecutive branches with the same <paramref name="Head"/> are the halves of a fork: the head runs before them.
    /// </summary>
    public sealed record Branch(IReadOnlyList<Func<Tensor, Tensor>> Steps, bool EndsInActivation = true, SharedHead? Head = null);

    /// <summary>
    /// Steps that consecutive branches share at their head, known by reference: one conv block that feeds two whose
    /// outputs sit side by side in the block's output (Inception v3's InceptionE). The head runs once, for the rows
    /// of all the branches that share it and the all-branch rows, and each branch then reads its own rows of it.
    /// </summary>
    public sealed class SharedHead(IReadOnlyList<Func<Tensor, Tensor>> steps)
    {
        public IReadOnlyList<Func<Tensor, Tensor>> Steps { get; } = steps;
    }

    /// <param name="branchInputs">Branch k's input for every row of the batch (the block's input, or a slice of a
    /// convolution the branches share); branches that share a head read the first one's.</param>
    /// <param name="branches">Each branch's steps.</param>
    public static Tensor Run(IReadOnlyList<Tensor> branchInputs, IReadOnlyList<Branch> branches,
        IReadOnlyList<long> channels, BranchRows rows, bool preActivation)
    {
        int count = branches.Count;
        if (rows.PerBranch.Count != count)
            throw new ArgumentException($"{rows.PerBranch.Count} branches of rows for a block of {count}", nameof(rows));
        long all = rows.All, allStart = rows.Start(count);
        using var scope = NewDisposeScope();
        var outputs = new Tensor?[count];
        for (int k = 0, width; k < count; k += width)
        {
            // A fork's branches come in a row, so their rows do too: the head runs on them all at once.
            var head = branches[k].Head;
            width = 1;
            while (head is not null && k + width < count && ReferenceEquals(branches[k + width].Head, head)) width++;
            long own = rows.PerBranch.Skip(k).Take(width).Sum();
            if (own + all == 0) continue;
            var input = OwnThenAll(branchInputs[k], rows.Start(k), own, allStart, all);
            foreach (var step in head?.Steps ?? []) input = step(input);
            for (int j = k; j < k + width; j++)
            {
                long mine = rows.PerBranch[j];
                if (mine + all == 0) continue;
                outputs[j] = RunBranch(branches[j], width == 1 ? input : OwnThenAll(input, rows.Start(j) - rows.Start(k), mine, own, all), preActivation);
            }
        }
        // Each branch's channels for every row: its own rows' values, zeros for the other branches' rows (their
        // objectives never read these channels, so no gradient flows there), then the all-branch rows' values. The
        // pieces are joined along the batch, the outermost dimension in either memory layout, so that joining is
        // a plain copy; the branches are then joined along the channels as the whole block joins them.
        var like = outputs.First(o => o is not null)!;
        var columns = new Tensor[count];
        for (int k = 0; k < count; k++)
        {
            var pieces = new List<Tensor>();
            for (int j = 0; j < count; j++)
            {
                if (rows.PerBranch[j] == 0) continue;
                pieces.Add(j == k ? outputs[k]!.narrow(0, 0, rows.PerBranch[k]) : Zeros(like, rows.PerBranch[j], channels[k]));
            }
            if (all > 0) pieces.Add(outputs[k]!.narrow(0, rows.PerBranch[k], all));
            columns[k] = pieces.Count == 1 ? pieces[0] : cat(pieces.ToArray(), 0);
        }
        return cat(columns, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="own"/>, then the <paramref name="all"/> rows from <paramref name="allStart"/>.</summary>
    private static Tensor OwnThenAll(Tensor rows, long start, long own, long allStart, long all) =>
        own == 0 ? rows.narrow(0, allStart, all)
            : all == 0 ? rows.narrow(0, start, own)
            : cat([rows.narrow(0, start, own), rows.narrow(0, allStart, all)], 0);

    /// <summary>Zeros for <paramref name="rows"/> rows of <paramref name="channels"/> channels, in <paramref name="like"/>'s type, device and memory layout.</summary>
    private static Tensor Zeros(Tensor like, long rows, long channels)
    {
        // Made in channels-last order directly (N×H×W×C, viewed as N×C×H×W), not made and then copied into it.
        if (like.dim() == 4 && ChannelsLast.IsChannelsLast(like))
            return zeros([rows, like.shape[2], like.shape[3], channels], dtype: like.dtype, device: like.device).permute(0, 3, 1, 2);
        return zeros([rows, channels, .. like.shape.Skip(2)], dtype: like.dtype, device: like.device);
    }

    private static Tensor RunBranch(Branch branch, Tensor input, bool preActivation)
    {
        var x = input;
        int end = preActivation && branch.EndsInActivation ? branch.Steps.Count - 1 : branch.Steps.Count;
        for (int i = 0; i < end; i++) x = branch.Steps[i](x);
        return x;
    }

    /// <summary>Modules as a branch's steps: each module's forward, hooks included.</summary>
    public static Branch OfModules(IEnumerable<nn.Module<Tensor, Tensor>> modules, bool endsInActivation = true) =>
        new([.. modules.Select(m => (Func<Tensor, Tensor>)m.call)], endsInActivation);

    /// <summary>A branch's modules in forward order, when it is a tree of <see cref="Sequential"/>s that ends in a ReLU; else null.</summary>
    public static IReadOnlyList<nn.Module<Tensor, Tensor>>? Leaves(nn.Module<Tensor, Tensor> branch) =>
        Flatten(branch) is { Count: > 0 } leaves && leaves[^1] is ReLU ? leaves : null;

    /// <summary>The leaf modules of a tree of <see cref="Sequential"/>s in forward order; null when one is not a tensor-to-tensor module.</summary>
    public static List<nn.Module<Tensor, Tensor>>? Flatten(nn.Module module)
    {
        var leaves = new List<nn.Module<Tensor, Tensor>>();
        bool Add(nn.Module child)
        {
            if (child is Sequential sequential) return sequential.children().All(Add);
            if (child is not nn.Module<Tensor, Tensor> typed) return false;
            leaves.Add(typed);
            return true;
        }
        return Add(module) ? leaves : null;
    }

    /// <summary>The output channels of a branch: those of the last convolution among its modules.</summary>
    public static long? OutputChannels(IReadOnlyList<nn.Module<Tensor, Tensor>> leaves) =>
        leaves.OfType<Conv2d>().LastOrDefault()?.out_channels;
}
