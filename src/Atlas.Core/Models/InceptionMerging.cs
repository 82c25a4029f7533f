using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Puts a <see cref="MergedInception"/> in the place of every TorchVision GoogLeNet Inception block of a
/// working copy whose batch norms are folded: the block's three 1×1 convolutions that read its input become
/// one. Values agree with the block's up to float rounding (the same sums, blocked differently).
/// TorchVision's Inception class is private, and GoogLeNet holds its blocks in fields that its forward pass
/// calls, so both are reached by reflection (<see cref="ChildReplacement"/>); if a TorchSharp upgrade renames
/// them, nothing is merged and <c>InceptionMergingTests</c> fails, so the speed-up cannot be lost silently.
/// </summary>
public static class InceptionMerging
{
    /// <summary>Reads model.branchConvolutions: whether working copies on <paramref name="device"/> merge each Inception block's 1×1 convolutions.</summary>
    public static bool For(string branchConvolutions, Device device, ScalarType type) => branchConvolutions switch
    {
        "merged" => true,
        "separate" => false,
        // On an H200 (bench/RESULTS.md, sixth session) merging sped up bfloat16 rendering by 16-19 % in one run
        // (-2 and +14 % in another) and the bfloat16 dataset pass by -4 to +12 %, but slowed float32 rendering
        // by 3-5 % in three of four comparisons (equal in the fourth); float32's dataset pass moved -0.3 to +4 %.
        // On the 2-core CPU it measured neutral (oneDNN computes the same products either way).
        "auto" => device.type == DeviceType.CUDA && type is ScalarType.BFloat16 or ScalarType.Float16,
        var other => throw new AtlasInputException($"model.branchConvolutions: '{other}' is not auto, merged or separate"),
    };

    /// <summary>Replaces the mergeable blocks in place; returns how many it replaced.</summary>
    public static int Apply(nn.Module network)
    {
        using var noGrad = no_grad();
        // TorchVision's Inception class is private: it is known by name, and its branches by their field names.
        return ChildReplacement.ReplaceAll<nn.Module<Tensor, Tensor>>(network, block => block.GetType().Name == "Inception" ? Merge(block) : null);
    }

    /// <summary>The merged block, or null when this block is not TorchVision's folded layout.</summary>
    private static MergedInception? Merge(nn.Module block)
    {
        if (Branch(block, "branch1") is not Sequential branch1 || Branch(block, "branch2") is not Sequential branch2
            || Branch(block, "branch3") is not Sequential branch3 || Branch(block, "branch4") is not { } branch4)
            return null;
        var children2 = branch2.named_children().ToList();
        var children3 = branch3.named_children().ToList();
        if (children2.Count != 2 || children3.Count != 2) return null;
        if (children2[0].module is not Sequential reduce2 || children3[0].module is not Sequential reduce3) return null;
        if (FoldedPointwise(branch1) is not { } conv1 || FoldedPointwise(reduce2) is not { } conv2 || FoldedPointwise(reduce3) is not { } conv3) return null;
        if (conv2.in_channels != conv1.in_channels || conv3.in_channels != conv1.in_channels
            || conv2.weight.dtype != conv1.weight.dtype || conv3.weight.dtype != conv1.weight.dtype)
            return null;

        var reduce = Stack([conv1, conv2, conv3], LaysOutChannelsLast(children2[1].module));
        long[] splits = [conv1.out_channels, conv2.out_channels, conv3.out_channels];
        var replacement = new MergedInception(reduce, splits,
            nn.Sequential(("relu", nn.ReLU())),
            nn.Sequential(("0", nn.Sequential(("relu", nn.ReLU()))), (children2[1].name, (nn.Module<Tensor, Tensor>)children2[1].module)),
            nn.Sequential(("0", nn.Sequential(("relu", nn.ReLU()))), (children3[1].name, (nn.Module<Tensor, Tensor>)children3[1].module)),
            branch4);
        // Only the three 1×1 blocks are left unused; the 3×3 blocks and the pool branch live on in the replacement.
        branch1.Dispose();
        reduce2.Dispose();
        reduce3.Dispose();
        return replacement;
    }

    private static nn.Module<Tensor, Tensor>? Branch(nn.Module block, string name) =>
        block.GetType().GetField(name, ChildReplacement.Fields)?.GetValue(block) as nn.Module<Tensor, Tensor>;

    /// <summary>The convolution of a conv → identity (a folded batch norm) → ReLU block, when it is a plain 1×1 with a bias.</summary>
    private static Conv2d? FoldedPointwise(Sequential block)
    {
        var children = block.children().ToList();
        if (children is not [Conv2d conv, Identity, ReLU]) return null;
        bool pointwise = conv.kernel_size.All(k => k == 1) && conv.stride.All(s => s == 1) && conv.dilation.All(d => d == 1)
            && (conv.padding ?? [0, 0]).All(p => p == 0) && conv.padding_type is null && conv.groups == 1;
        return pointwise && conv.bias is not null ? conv : null;
    }

    /// <summary>Whether a conv block's weights are in channels-last order (the stacked 1×1 weight follows it).</summary>
    private static bool LaysOutChannelsLast(nn.Module convBlock) =>
        convBlock.named_modules().Select(m => m.module).OfType<Conv2d>()
            .Any(c => ChannelsLast.Chosen(c.weight));

    private static Conv2d Stack(IReadOnlyList<Conv2d> convs, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var weight = cat(convs.Select(c => (Tensor)c.weight).ToArray(), 0);
        if (channelsLast) weight = ChannelsLast.Of(weight);
        var bias = cat(convs.Select(c => (Tensor)c.bias!).ToArray(), 0);
        var first = convs[0];
        var stacked = nn.Conv2d(first.in_channels, weight.shape[0], 1, device: first.weight.device, dtype: first.weight.dtype);
        stacked.weight = new Parameter(weight, requires_grad: false);
        stacked.bias = new Parameter(bias, requires_grad: false);
        return stacked;
    }
}
