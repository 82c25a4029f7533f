using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// A strided convolution over few input channels (the one that reads the image) computed as space to depth:
/// the padded input is cut into stride×stride blocks whose pixels become channels (pixel_unshuffle), and a
/// stride-1 convolution with the rearranged kernel reads those. cuDNN handles three channels with stride 2
/// badly: in PyTorch's profile of a GoogLeNet rendering step on an H200, conv1's forward and input-gradient
/// kernels took about 2.0 and 2.3 ms of a 21.8 ms step; with conv1 as space to depth over 16 channels PyTorch's
/// step took 18.8 against 21.5 ms in one later run (bench/conv1_forms.py and bench/RESULTS.md). The rearrangement is exact, so values agree with the
/// convolution up to rounding (the same products, summed in another order). Built by <see cref="InputConvolution"/>.
/// </summary>
public sealed class SpaceToDepthConv2d : nn.Module<Tensor, Tensor>
{
    // Registered as parameters (frozen), so the module moves and converts with the network.
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long stride, paddedChannels;
    private readonly (long Height, long Width) kernel, padding, blocks;

    /// <summary>Whether the rearrangement applies: equal strides above 1, no dilation or groups, zero padding.</summary>
    public static bool Handles(Conv2d conv) =>
        conv.stride[0] == conv.stride[1] && conv.stride[0] > 1 && conv.dilation.All(d => d == 1) && conv.groups == 1
        && conv.padding_mode == PaddingModes.Zeros && conv.padding_type is null;

    public SpaceToDepthConv2d(Conv2d convolution) : base(nameof(SpaceToDepthConv2d))
    {
        if (!Handles(convolution)) throw new ArgumentException("only a strided, undilated, ungrouped, zero-padded convolution", nameof(convolution));
        stride = convolution.stride[0];
        kernel = (convolution.kernel_size[0], convolution.kernel_size[1]);
        var pad = convolution.padding ?? [0, 0];
        padding = (pad[0], pad[1]);
        blocks = (Blocks(kernel.Height), Blocks(kernel.Width));
        paddedChannels = AlignedChannels(convolution.in_channels, stride);
        using var noGrad = no_grad();
        var w = convolution.weight;
        weight = new Parameter(Rearranged(w), requires_grad: false);
        bias = convolution.bias is { } b ? new Parameter(b.detach().clone(), requires_grad: false) : null;
        RegisterComponents();
    }

    private long Blocks(long size) => (size + stride - 1) / stride;

    /// <summary>
    /// The fewest input channels, at least <paramref name="channels"/>, for which the blocks' channel count is a
    /// multiple of 8: tensor cores read bfloat16 in groups of 8, and cuDNN would otherwise pad on every call
    /// (3 colours at stride 2 become 4, so 16 channels; at stride 4 the 48 are already aligned).
    /// </summary>
    public static long AlignedChannels(long channels, long stride)
    {
        long padded = channels;
        while (padded * stride * stride % 8 != 0) padded++;
        return padded;
    }

    /// <summary>
    /// [O, C, kh, kw] → [O, C'·s², ⌈kh/s⌉, ⌈kw/s⌉]: zero-padded to whole blocks and C' channels, then the
    /// offset (i, j) inside a block moves next to the channel, in pixel_unshuffle's order c·s² + i·s + j.
    /// </summary>
    private Tensor Rearranged(Tensor w)
    {
        using var scope = NewDisposeScope();
        long outChannels = w.shape[0];
        var padded = nn.functional.pad(w.detach(),
            [0, blocks.Width * stride - kernel.Width, 0, blocks.Height * stride - kernel.Height, 0, paddedChannels - w.shape[1]]);
        var moved = padded.reshape(outChannels, paddedChannels, blocks.Height, stride, blocks.Width, stride)
            .permute(0, 1, 3, 5, 2, 4).reshape(outChannels, paddedChannels * stride * stride, blocks.Height, blocks.Width);
        // Later layers compute in the network's layout; the convolution's output keeps its weight's.
        return (ChannelsLast.Chosen(w) ? ChannelsLast.Of(moved) : moved.contiguous()).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        long height = input.shape[2], width = input.shape[3];
        long outHeight = (height + 2 * padding.Height - kernel.Height) / stride + 1;
        long outWidth = (width + 2 * padding.Width - kernel.Width) / stride + 1;
        using var scope = NewDisposeScope();
        // The padded extent the output's blocks read; a convolution that ignores the last rows or columns of its
        // input (size not a whole number of strides) gets them cut instead of padded.
        long bottom = (outHeight + blocks.Height - 1) * stride - height - padding.Height;
        long right = (outWidth + blocks.Width - 1) * stride - width - padding.Width;
        var x = input;
        if (bottom < 0) { x = x.narrow(2, 0, height + bottom); bottom = 0; }
        if (right < 0) { x = x.narrow(3, 0, width + right); right = 0; }
        x = nn.functional.pad(x, [padding.Width, right, padding.Height, bottom, 0, paddedChannels - x.shape[1]]);
        var output = nn.functional.conv2d(nn.functional.pixel_unshuffle(x, stride), weight, bias);
        return output.MoveToOuterDisposeScope();
    }
}
