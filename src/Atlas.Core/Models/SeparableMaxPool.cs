using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// A max pool's values (no indices) as two one-dimensional passes, rows then columns, each the element-wise
/// maximum of the kernel's strided slices. Maxima are exact, so the result equals libtorch's pool bit for bit.
/// Why: on an H200, libtorch's NHWC max-pool kernel moved about a tenth of the card's memory bandwidth
/// (GoogLeNet's first six pools took 6.4 ms of a ~34 ms bfloat16 dataset batch of 512 at 224 px,
/// bench/pool_forms.py), where element-wise kernels run near it.
/// </summary>
public static class SeparableMaxPool
{
    /// <summary>Whether the pool's window can be taken apart this way: no dilation (padding and ceil mode are handled).</summary>
    public static bool Handles(PoolShape shape) => shape.Dilation.All(d => d == 1) && shape.Padding.Zip(shape.Kernel).All(p => 2 * p.First <= p.Second);

    public static Tensor Apply(Tensor input, PoolShape shape)
    {
        using var rows = Reduce(input, 2, shape.Kernel[0], shape.Stride[0], shape.Padding[0], shape.CeilMode);
        return Reduce(rows, 3, shape.Kernel[1], shape.Stride[1], shape.Padding[1], shape.CeilMode);
    }

    /// <summary>libtorch's pooled length: a last window must start inside the input or its left padding.</summary>
    public static long OutputLength(long length, long kernel, long stride, long padding, bool ceilMode)
    {
        long span = length + 2 * padding - kernel;
        long output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= length + padding) output--;
        return output;
    }

    /// <summary>
    /// Output o along <paramref name="dim"/> is the maximum over offsets j of input o·s + j − p, where that lies
    /// inside the input (padding counts as minus infinity, so it is simply left out).
    /// </summary>
    private static Tensor Reduce(Tensor x, int dim, long kernel, long stride, long padding, bool ceilMode)
    {
        long length = x.shape[dim];
        long outputs = OutputLength(length, kernel, stride, padding, ceilMode);
        // Each offset's first and last output that read inside the input.
        var ranges = Enumerable.Range(0, (int)kernel).Select(j => (
            First: Math.Max(0, CeilDiv(padding - j, stride)),
            Last: Math.Min(outputs - 1, FloorDiv(length - 1 + padding - j, stride)),
            Offset: (long)j)).Where(r => r.Last >= r.First).ToList();
        // Offsets that every output reads go first, so that the result is made by the first maximum, not by a copy.
        ranges = ranges.OrderBy(r => r.First == 0 && r.Last == outputs - 1 ? 0 : 1).ToList();
        Tensor Slice((long First, long Last, long Offset) r)
        {
            long start = r.First * stride + r.Offset - padding;
            return x.slice(dim, start, start + (r.Last - r.First) * stride + 1, stride);
        }
        bool Full((long First, long Last, long Offset) r) => r.First == 0 && r.Last == outputs - 1;

        Tensor result;
        int next;
        if (ranges.Count >= 2 && Full(ranges[1]))
        {
            using var a = Slice(ranges[0]);
            using var b = Slice(ranges[1]);
            result = maximum(a, b);
            next = 2;
        }
        else if (ranges.Count >= 1 && Full(ranges[0]))
        {
            using var a = Slice(ranges[0]);
            result = a.clone();
            next = 1;
        }
        else
        {
            var shape = x.shape;
            shape[dim] = outputs;
            result = full(shape, float.NegativeInfinity, dtype: x.dtype, device: x.device);
            next = 0;
        }
        for (int i = next; i < ranges.Count; i++)
        {
            using var part = result.narrow(dim, ranges[i].First, ranges[i].Last - ranges[i].First + 1);
            using var slice = Slice(ranges[i]);
            part.clamp_(min: slice); // in place: the maximum of the two
        }
        return result;
    }

    private static long CeilDiv(long a, long b) => a <= 0 ? -(-a / b) : (a + b - 1) / b;

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
