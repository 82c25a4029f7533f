using Atlas.Core.Models;
using Atlas.Core.Models.Branches;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Inception blocks computed branch by branch for the rows that read one branch only (<see cref="IBranchedBlock"/>),
/// against the whole block: GoogLeNet's (TorchSharp's own block, folded and not, and the merged one) and every mixed
/// block of Inception v3.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class BranchedBlockTests
{
    /// <summary>The forms a working copy's blocks take; the last is a GPU's (the pool branch's max-pool passes its gradient back with a scatter).</summary>
    public enum Form { AsBuilt, Folded, Merged, MergedWithScatterPools }

    private static IAtlasModel Build(Form form, bool channelsLast)
    {
        var model = WorkingCopyNetworks.Build("googlenet", seed: 41, channelsLast);
        if (form != Form.AsBuilt) model.FoldBatchNorm();
        // In the order the model cache rewrites a working copy: the pools, then the merge.
        if (form == Form.MergedWithScatterPools) Assert.True(MaxPoolGradient.Apply(model.Network) > 0);
        if (form is Form.Merged or Form.MergedWithScatterPools) Assert.Equal(9, model.MergeBranchConvolutions());
        return model;
    }

    [Theory]
    [InlineData(Form.AsBuilt, false)]
    [InlineData(Form.Folded, true)]
    [InlineData(Form.Merged, true)]
    [InlineData(Form.Merged, false)]
    [InlineData(Form.MergedWithScatterPools, true)]
    public void Each_row_gets_its_branchs_channels_of_the_whole_blocks_values_and_zeros_elsewhere(Form form, bool channelsLast)
    {
        using var model = Build(form, channelsLast);
        var branched = Assert.IsAssignableFrom<IBranchedActivations>(model);
        AssertRowsMatchTheWholeBlock(model, 64, [("inception3a", [64, 128, 32, 32]), ("inception4a", [192, 208, 48, 64]), ("inception5b", [384, 384, 128, 128])]);
        Assert.Null(branched.BranchChannels("conv3"));
        Assert.Null(branched.BranchChannels("logits"));
    }

    [Fact]
    public void Every_mixed_block_of_inception_v3_is_branched_forks_and_max_pools_included()
    {
        using var model = WorkingCopyNetworks.Build("inception_v3", seed: 47, channelsLast: true, size: 128);
        model.FoldBatchNorm();
        // Mixed_5b and 5d are InceptionA blocks (pool branch 32 and 64 wide), Mixed_6b an InceptionC: each pool branch
        // starts with the block's 3×3 average pool. Mixed_6a and 7a are the grid reductions, whose last branch is a
        // max-pool of the input with no ReLU (288 and 768 channels). Mixed_7b and 7c are InceptionE blocks, whose
        // 3×3 and double-3×3 branches each fork into two side-by-side outputs, six pieces in all.
        AssertRowsMatchTheWholeBlock(model, 128,
        [
            ("Mixed_5b", [64, 64, 96, 32]), ("Mixed_5d", [64, 64, 96, 64]), ("Mixed_6a", [384, 96, 288]), ("Mixed_6b", [192, 192, 192, 192]),
            ("Mixed_7a", [320, 192, 768]), ("Mixed_7b", [320, 384, 384, 384, 384, 192]), ("Mixed_7c", [320, 384, 384, 384, 384, 192]),
        ]);
        var branched = (IBranchedActivations)model;
        Assert.Null(branched.BranchChannels("Conv2d_4a_3x3"));
        Assert.Null(branched.BranchChannels("logits"));
    }

    /// <summary>
    /// Rows of one branch (two of the first, none of the second-to-last, one of each other) and two rows of all,
    /// against the whole block, after and before the ReLUs.
    /// </summary>
    private static void AssertRowsMatchTheWholeBlock(IAtlasModel model, int size, IEnumerable<(string Layer, long[] Channels)> layers)
    {
        var branched = (IBranchedActivations)model;
        using var scope = NewDisposeScope();
        foreach (var (layer, channels) in layers)
        {
            int count = channels.Length;
            long[] perBranch = [.. Enumerable.Range(0, count).Select(k => k == 0 ? 2L : k == count - 2 ? 0L : 1L)];
            var rows = new BranchRows(perBranch, 2);
            int[] rowBranch = [.. Enumerable.Range(0, count).SelectMany(k => Enumerable.Repeat(k, (int)perBranch[k])), -1, -1];
            var pixels = rand(rowBranch.Length, 3, size, size);
            Assert.Equal(channels, branched.BranchChannels(layer));
            var starts = channels.Select((_, k) => channels.Take(k).Sum()).ToArray();
            foreach (bool pre in new[] { false, true })
            {
                var whole = model.Activations(pixels, [layer], pre)[layer];
                var sparse = branched.BranchActivations(pixels, layer, rows, pre);
                Assert.Equal(whole.shape, sparse.shape);
                for (int row = 0; row < rowBranch.Length; row++)
                {
                    var expected = whole[row].clone();
                    if (rowBranch[row] is var k and >= 0)
                    {
                        expected.narrow(0, 0, starts[k]).zero_();
                        expected.narrow(0, starts[k] + channels[k], expected.shape[0] - starts[k] - channels[k]).zero_();
                    }
                    WorkingCopyNetworks.AssertClose(expected, sparse[row], 1e-4, $"{layer} row {row} (branch {rowBranch[row]}, pre-activation: {pre})");
                }
            }
        }
    }

    [Theory]
    [InlineData(Form.Folded)]
    [InlineData(Form.MergedWithScatterPools)]
    public void A_rows_input_gradient_through_its_branch_alone_is_the_whole_blocks(Form form)
    {
        using var model = Build(form, channelsLast: true);
        // inception4a: channel 10 is in the 1×1 branch, 250 in the 3×3, 420 in the 5×5, 500 in the pool branch.
        AssertInputGradientsMatch(model, "inception4a", 64, new BranchRows([1, 1, 1, 1], 0), [[10], [250], [420], [500]]);
    }

    [Fact]
    public void Input_gradients_through_forked_branches_and_a_max_pool_branch_are_the_whole_blocks()
    {
        using var model = WorkingCopyNetworks.Build("inception_v3", seed: 53, channelsLast: true, size: 128);
        model.FoldBatchNorm();
        // As a GPU's working copy has them: the stem's two pools and the reductions' pass their gradient back with a scatter.
        Assert.Equal(4, MaxPoolGradient.Apply(model.Network));
        // The branched path reads the block's pool as it is now, the scatter one (both pools pass the same gradient back,
        // so only a count of calls tells them apart).
        var pool = Assert.IsType<ScatterMaxPool2d>(Module(model, "Mixed_6a.branch_pool"));
        // Mixed_6a: 0–383 the 3×3 branch, 384–479 the double 3×3, 480–767 the max-pool.
        int poolCalls = CallsDuring(pool, () =>
            AssertInputGradientsMatch(model, "Mixed_6a", 128, new BranchRows([1, 1, 1], 0), [[5], [400], [600]]));
        Assert.Equal(2, poolCalls); // once in the whole block, once for the pool branch's row
        // Mixed_7b: 0–319 the 1×1 branch, 320–703 and 704–1087 the 3×3 fork's halves, 1088–1471 and 1472–1855 the
        // double 3×3 fork's, 1856–2047 the pool branch. The last row reads both halves of both forks, so its gradient
        // comes through each fork's shared conv blocks, which run once for both halves' rows.
        var shared = Assert.IsType<TorchSharp.Modules.Conv2d>(Module(model, "Mixed_7b.branch3x3dbl_2.conv"));
        int sharedCalls = CallsDuring(shared, () => AssertInputGradientsMatch(model, "Mixed_7b", 128, new BranchRows([1, 1, 1, 1, 1, 1], 1),
            [[10], [400], [800], [1200], [1600], [2000], [400, 800, 1200, 1600]]));
        Assert.Equal(2, sharedCalls); // once in the whole block, once for the double 3×3 fork's two halves
    }

    private static nn.Module Module(IAtlasModel model, string path) => model.Network.named_modules().Single(m => m.name == path).module;

    /// <summary>How many times <paramref name="module"/>'s forward ran during <paramref name="action"/>.</summary>
    private static int CallsDuring(nn.Module<Tensor, Tensor> module, Action action)
    {
        int calls = 0;
        var counting = module.register_forward_hook((_, _, _) => { calls++; return null!; });
        try
        {
            action();
        }
        finally
        {
            counting.remove();
        }
        return calls;
    }

    /// <summary>Each row's objective sums its channels' pre-activations; the input gradients of both ways agree.</summary>
    private static void AssertInputGradientsMatch(IAtlasModel model, string layer, int size, BranchRows rows, long[][] rowChannels)
    {
        using var scope = NewDisposeScope();
        var pixels = rand(rowChannels.Length, 3, size, size);
        Tensor Gradient(Func<Tensor, Tensor> activations)
        {
            var input = pixels.clone().requires_grad_(true);
            var values = activations(input);
            stack(rowChannels.SelectMany((channels, row) => channels.Select(c => values[row, c].sum())).ToArray()).sum().backward();
            return input.grad!;
        }
        var whole = Gradient(input => model.Activations(input, [layer], preActivation: true)[layer]);
        var sparse = Gradient(input => ((IBranchedActivations)model).BranchActivations(input, layer, rows, preActivation: true));
        WorkingCopyNetworks.AssertClose(whole, sparse, 1e-3, $"{layer} input gradient");
    }
}
