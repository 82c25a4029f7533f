using Atlas.Core.Models;
using Atlas.Core.Models.Branches;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// GoogLeNet's Inception blocks computed branch by branch for the rows that read one branch only
/// (<see cref="IBranchedBlock"/>), against the whole block: TorchSharp's own block, folded and not, and the merged one.
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
    public void Inception_v3s_blocks_with_four_chained_branches_are_branched_too_and_the_others_render_whole()
    {
        using var model = WorkingCopyNetworks.Build("inception_v3", seed: 47, channelsLast: true, size: 128);
        model.FoldBatchNorm();
        var branched = Assert.IsAssignableFrom<IBranchedActivations>(model);
        // Mixed_5b and 5d are InceptionA blocks (pool branch 32 and 64 wide), Mixed_6b an InceptionC: each pool branch
        // starts with the block's 3×3 average pool.
        AssertRowsMatchTheWholeBlock(model, 128, [("Mixed_5b", [64, 64, 96, 32]), ("Mixed_5d", [64, 64, 96, 64]), ("Mixed_6b", [192, 192, 192, 192])]);
        // A grid reduction (whose max-pool branch has no ReLU) and an InceptionE (whose branches fork) are not.
        Assert.Null(branched.BranchChannels("Mixed_6a"));
        Assert.Null(branched.BranchChannels("Mixed_7b"));
    }

    /// <summary>Rows of one branch (none of the third) and rows of all, against the whole block, after and before the ReLUs.</summary>
    private static void AssertRowsMatchTheWholeBlock(IAtlasModel model, int size, IEnumerable<(string Layer, long[] Channels)> layers)
    {
        var branched = (IBranchedActivations)model;
        using var scope = NewDisposeScope();
        // Two rows of the first branch, one of the second, none of the third, one of the fourth, two of every branch.
        var rows = new BranchRows([2, 1, 0, 1], 2);
        int[] rowBranch = [0, 0, 1, 3, -1, -1];
        var pixels = rand(6, 3, size, size);
        foreach (var (layer, channels) in layers)
        {
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
        using var scope = NewDisposeScope();
        var pixels = rand(4, 3, 64, 64);
        // inception4a: channel 10 is in the 1×1 branch, 250 in the 3×3, 420 in the 5×5, 500 in the pool branch.
        long[] channels = [10, 250, 420, 500];
        var rows = new BranchRows([1, 1, 1, 1], 0);

        Tensor Gradient(Func<Tensor, Tensor> activations)
        {
            var input = pixels.clone().requires_grad_(true);
            var values = activations(input);
            stack(channels.Select((c, row) => values[row, c].sum()).ToArray()).sum().backward();
            return input.grad!;
        }
        var whole = Gradient(input => model.Activations(input, ["inception4a"], preActivation: true)["inception4a"]);
        var sparse = Gradient(input => ((IBranchedActivations)model).BranchActivations(input, "inception4a", rows, preActivation: true));
        WorkingCopyNetworks.AssertClose(whole, sparse, 1e-3, "input gradient");
    }
}
