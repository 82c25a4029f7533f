using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// A 2-D max pool whose backward pass scatters each output's gradient onto the input position that won
/// (one <c>scatter_add_</c> over the pooled outputs), instead of libtorch's native backward kernel. The
/// forward is libtorch's own, so values and winners are the same. On an H200 the native backward in
/// channels-last bfloat16 moves memory at a few percent of the card's bandwidth and was 18 % of a
/// GoogLeNet rendering step in PyTorch's profile (bench/RESULTS.md); a scatter is bound by memory speed.
/// Without gradients (the dataset pass) it is the plain pool.
/// </summary>
public sealed class ScatterMaxPool2d : nn.Module<Tensor, Tensor>
{
    public ScatterMaxPool2d(MaxPool2d native) : base(nameof(ScatterMaxPool2d))
    {
        Shape = new PoolShape(native.kernel_size, native.stride ?? native.kernel_size, native.padding ?? [0, 0], native.dilation ?? [1, 1], native.ceil_mode);
    }

    public PoolShape Shape { get; }

    public override Tensor forward(Tensor input) =>
        is_grad_enabled() && input.requires_grad
            ? ScatterMaxPoolFunction.Apply(input, Shape)
            : nn.functional.max_pool2d(input, Shape.Kernel, Shape.Stride, Shape.Padding, Shape.Dilation, Shape.CeilMode);
}

/// <summary>A max pool's window: kernel, stride, padding and dilation per spatial dimension, and ceil mode.</summary>
public sealed record PoolShape(long[] Kernel, long[] Stride, long[] Padding, long[] Dilation, bool CeilMode);

/// <summary>The autograd function behind <see cref="ScatterMaxPool2d"/>.</summary>
public sealed class ScatterMaxPoolFunction : autograd.SingleTensorFunction<ScatterMaxPoolFunction>
{
    public override string Name => nameof(ScatterMaxPoolFunction);

    public static Tensor Apply(Tensor input, PoolShape shape) => apply(input, shape);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var shape = (PoolShape)vars[1];
        var (values, indices) = nn.functional.max_pool2d_with_indices(input, shape.Kernel, shape.Stride, shape.Padding, shape.Dilation, shape.CeilMode);
        ctx.save_for_backward([indices]);
        ctx.save_data("input", input.shape);
        return values;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        BackwardGradients.ReleasePrevious();
        using var scope = NewDisposeScope(); // everything made here is freed here (see BackwardGradients)
        using var indices = ctx.get_saved_variables()[0];
        var input = (long[])ctx.get_data("input");
        long n = input[0], c = input[1], h = input[2], w = input[3];
        long pooled = grad.shape[2] * grad.shape[3];
        Tensor result;
        // libtorch's indices count positions within one image's channel plane (row · W + column), so the
        // scatter runs along the spatial dimension of an N×HW×C (channels-last) or N×C×HW view.
        if (ChannelsLast.IsChannelsLast(grad))
        {
            var sums = zeros([n, h * w, c], dtype: grad.dtype, device: grad.device);
            sums.scatter_add_(1, indices.permute(0, 2, 3, 1).reshape(n, pooled, c), grad.permute(0, 2, 3, 1).reshape(n, pooled, c));
            result = sums.view(n, h, w, c).permute(0, 3, 1, 2);
        }
        else
        {
            var sums = zeros([n, c, h * w], dtype: grad.dtype, device: grad.device);
            sums.scatter_add_(2, indices.reshape(n, c, pooled), grad.reshape(n, c, pooled));
            result = sums.view(n, c, h, w);
        }
        BackwardGradients.HandOver(result);
        grad.Dispose(); // this wrapper was made for this call; libtorch holds the gradient itself
        return [result, null!]; // one entry per argument of Apply; the pool's shape has no gradient
    }
}
