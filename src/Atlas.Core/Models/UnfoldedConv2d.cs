using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// A convolution over few input channels (the one that reads the image) computed as a matrix product over
/// unfolded patches: unfold the input into N×(C·kh·kw)×L columns, multiply by the O×(C·kh·kw) weight, add
/// the bias. cuDNN handles three input channels badly: in PyTorch's profile of a GoogLeNet rendering step on
/// an H200 (bench/RESULTS.md), conv1's forward and input-gradient kernels took about 1.9 and 2.1 ms of a
/// 20.5 ms step, while its 40 GFLOP are a fraction of a millisecond of matrix work. Here the products run in
/// cuBLAS and the rest is bound by memory speed. Values agree with the convolution up to rounding (the same
/// sums, in another order). Built by <see cref="InputConvolution"/>.
/// </summary>
public sealed class UnfoldedConv2d : nn.Module<Tensor, Tensor>
{
    // Registered as parameters (frozen), so the module moves and converts with the network.
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly (long, long) kernel, stride, padding, dilation;
    private readonly bool channelsLast;

    /// <summary>Most bytes of unfolded columns made at once by default; larger batches are unfolded in slices.</summary>
    public const long DefaultMostColumnBytes = 1L << 30;

    private readonly long mostColumnBytes;

    public UnfoldedConv2d(Conv2d convolution, long mostColumnBytes = DefaultMostColumnBytes) : base(nameof(UnfoldedConv2d))
    {
        this.mostColumnBytes = mostColumnBytes;
        using var noGrad = no_grad();
        var w = convolution.weight;
        channelsLast = ChannelsLast.Chosen(w);
        weight = new Parameter(w.reshape(w.shape[0], -1).contiguous(), requires_grad: false);
        bias = convolution.bias is { } b ? new Parameter(b.detach().clone(), requires_grad: false) : null;
        kernel = (convolution.kernel_size[0], convolution.kernel_size[1]);
        stride = (convolution.stride[0], convolution.stride[1]);
        var pad = convolution.padding ?? [0, 0];
        padding = (pad[0], pad[1]);
        dilation = (convolution.dilation[0], convolution.dilation[1]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        long n = input.shape[0], height = input.shape[2], width = input.shape[3];
        long outHeight = (height + 2 * padding.Item1 - dilation.Item1 * (kernel.Item1 - 1) - 1) / stride.Item1 + 1;
        long outWidth = (width + 2 * padding.Item2 - dilation.Item2 * (kernel.Item2 - 1) - 1) / stride.Item2 + 1;
        long columnBytes = weight.shape[1] * outHeight * outWidth * input.ElementSize;
        long slice = Math.Max(1, mostColumnBytes / Math.Max(1, columnBytes));
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += slice)
        {
            var part = n <= slice ? input : input.narrow(0, start, Math.Min(slice, n - start));
            var columns = nn.functional.unfold(part, kernel, dilation, padding, stride);
            // One strided batched product (the weight is shared by every image), then the bias in place.
            var product = Product(columns);
            if (bias is not null) product.add_(bias.view(1, -1, 1));
            parts.Add(product);
        }
        var output = (parts.Count == 1 ? parts[0] : cat(parts.ToArray(), 0)).view(n, weight.shape[0], outHeight, outWidth);
        // Later layers compute in the network's layout; the convolution's output would have had it.
        return (channelsLast ? ChannelsLast.Of(output) : output).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// weight × columns. In float32 on a GPU the product gets the precision the replaced convolution had:
    /// libtorch lets cuDNN use TF32 by default but not cuBLAS, and a full-float32 product would be several
    /// times slower than the convolution it replaces. The flag is process-wide and read when the product is
    /// launched, so it is set around this one call (a unit holds the device alone; see UnitExecutor).
    /// </summary>
    private Tensor Product(Tensor columns)
    {
        if (columns.dtype != ScalarType.Float32 || columns.device.type != DeviceType.CUDA
            || backends.cuda.matmul.allow_tf32 == backends.cudnn.allow_tf32)
            return matmul(weight, columns);
        bool before = backends.cuda.matmul.allow_tf32;
        backends.cuda.matmul.allow_tf32 = backends.cudnn.allow_tf32;
        try
        {
            return matmul(weight, columns);
        }
        finally
        {
            backends.cuda.matmul.allow_tf32 = before;
        }
    }
}
