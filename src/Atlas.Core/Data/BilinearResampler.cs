using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atlas.Core.Data;

/// <summary>
/// Pillow's antialiased bilinear resize of 8-bit RGB (what torchvision's <c>Resize</c> does to the PIL images
/// of an <c>ImageFolder</c>), computed only for the window a centre crop keeps. The result is byte for byte
/// Pillow's <c>resize(..., BILINEAR)</c> followed by the crop, so images reach the model as they would in the
/// user's own PyTorch pipeline.
/// </summary>
/// <remarks>
/// Follows Pillow's Resample.c: a triangle filter widened by the scale when shrinking, weights normalised and
/// held as 22-bit fixed point, a horizontal pass whose 8-bit result feeds a vertical pass, each rounding
/// half up and clamping to 0–255. Skipping the columns and rows the crop drops is exact because every output
/// pixel depends only on its own taps. It also saves about a third of the work at torchvision's 256 → 224.
/// </remarks>
public static class BilinearResampler
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const int Half = 1 << (PrecisionBits - 1);

    /// <summary>
    /// Resizes <paramref name="rgba"/> (<paramref name="width"/>×<paramref name="height"/>, 4 bytes a pixel, rows
    /// <paramref name="rowBytes"/> apart, alpha ignored) to <paramref name="outWidth"/>×<paramref name="outHeight"/>
    /// and writes the <paramref name="crop"/>-square window at (<paramref name="left"/>, <paramref name="top"/>)
    /// of that result into <paramref name="rgb"/> as interleaved R, G, B bytes, row after row.
    /// </summary>
    public static void ResizeWindow(ReadOnlySpan<byte> rgba, int width, int height, int rowBytes,
        int outWidth, int outHeight, int left, int top, int crop, Span<byte> rgb)
    {
        if (left < 0 || top < 0 || left + crop > outWidth || top + crop > outHeight)
            throw new ArgumentException($"a {crop}-pixel window at ({left}, {top}) does not fit a {outWidth}×{outHeight} image");
        if (rgb.Length < crop * crop * 3) throw new ArgumentException($"{rgb.Length} bytes for a {crop}×{crop} RGB window", nameof(rgb));
        var columns = Taps.For(width, outWidth, left, crop);
        var rows = Taps.For(height, outHeight, top, crop);
        int firstRow = rows.First[0], lastRow = rows.First[crop - 1] + rows.Count[crop - 1];

        // Horizontal pass over the source rows the vertical pass reads; Pillow skips a pass whose size is unchanged.
        int tempRowBytes = crop * 3;
        // Pooled: at 224 px this is over 200 KB, which the runtime would otherwise put on the large-object heap for every image.
        var temp = ArrayPool<byte>.Shared.Rent((lastRow - firstRow) * tempRowBytes);
        try
        {
            for (int y = firstRow; y < lastRow; y++)
            {
                var source = rgba.Slice(y * rowBytes, width * 4);
                var target = temp.AsSpan((y - firstRow) * tempRowBytes, tempRowBytes);
                if (width == outWidth) CopyWindow(source, left, crop, target);
                else Horizontal(source, columns, target);
            }

            if (height == outHeight) temp.AsSpan((top - firstRow) * tempRowBytes, crop * tempRowBytes).CopyTo(rgb);
            else Vertical(temp, tempRowBytes, firstRow, rows, rgb);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(temp);
        }
    }

    private static void CopyWindow(ReadOnlySpan<byte> source, int left, int crop, Span<byte> target)
    {
        for (int x = 0; x < crop; x++)
        {
            target[3 * x] = source[4 * (left + x)];
            target[3 * x + 1] = source[4 * (left + x) + 1];
            target[3 * x + 2] = source[4 * (left + x) + 2];
        }
    }

    /// <summary>
    /// Each output pixel sums its taps' RGBA pixels; with vector hardware the four channels of a tap are one
    /// 128-bit multiply-add (alpha rides along unused), the same integer arithmetic as the scalar form.
    /// </summary>
    private static void Horizontal(ReadOnlySpan<byte> source, Taps columns, Span<byte> target)
    {
        bool vectors = Vector128.IsHardwareAccelerated;
        var top = Vector128.Create(255);
        for (int x = 0; x < columns.First.Length; x++)
        {
            int first = columns.First[x], count = columns.Count[x];
            var weights = columns.Weights.AsSpan(x * columns.Width, count);
            var pixels = source.Slice(first * 4, count * 4);
            if (vectors)
            {
                var sum = Vector128.Create(Half);
                for (int t = 0; t < weights.Length; t++)
                {
                    var rgba = Vector128.CreateScalarUnsafe(MemoryMarshal.Read<uint>(pixels.Slice(4 * t, 4))).AsByte();
                    var channels = Vector128.WidenLower(Vector128.WidenLower(rgba)).AsInt32();
                    sum += channels * Vector128.Create(weights[t]);
                }
                var clipped = Vector128.Max(Vector128.Min(Vector128.ShiftRightArithmetic(sum, PrecisionBits), top), Vector128<int>.Zero);
                target[3 * x] = (byte)clipped.GetElement(0);
                target[3 * x + 1] = (byte)clipped.GetElement(1);
                target[3 * x + 2] = (byte)clipped.GetElement(2);
                continue;
            }
            int r = Half, g = Half, b = Half;
            for (int t = 0; t < weights.Length; t++)
            {
                int w = weights[t];
                r += pixels[4 * t] * w;
                g += pixels[4 * t + 1] * w;
                b += pixels[4 * t + 2] * w;
            }
            target[3 * x] = Clip(r);
            target[3 * x + 1] = Clip(g);
            target[3 * x + 2] = Clip(b);
        }
    }

    /// <summary>
    /// Each output row is a weighted sum of whole intermediate rows, so a block of bytes across the row is summed
    /// tap by tap in vector registers (bytes widened to ints; the same integer arithmetic as the scalar tail).
    /// </summary>
    private static void Vertical(byte[] temp, int rowBytes, int firstRow, Taps rows, Span<byte> rgb)
    {
        int lanes = Vector<byte>.Count;
        var half = new Vector<int>(Half);
        var top = new Vector<int>(255);
        for (int y = 0; y < rows.First.Length; y++)
        {
            int first = rows.First[y] - firstRow, count = rows.Count[y];
            var weights = rows.Weights.AsSpan(y * rows.Width, count);
            var target = rgb.Slice(y * rowBytes, rowBytes);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= rowBytes - lanes; i += lanes)
                {
                    Vector<int> s0 = half, s1 = half, s2 = half, s3 = half;
                    for (int t = 0; t < count; t++)
                    {
                        var w = new Vector<int>(weights[t]);
                        Vector.Widen(new Vector<byte>(temp.AsSpan((first + t) * rowBytes + i, lanes)), out var low, out var high);
                        Vector.Widen(low, out var q0, out var q1);
                        Vector.Widen(high, out var q2, out var q3);
                        s0 += Vector.AsVectorInt32(q0) * w;
                        s1 += Vector.AsVectorInt32(q1) * w;
                        s2 += Vector.AsVectorInt32(q2) * w;
                        s3 += Vector.AsVectorInt32(q3) * w;
                    }
                    var lowHalf = Vector.Narrow(Clip(s0, top), Clip(s1, top));
                    var highHalf = Vector.Narrow(Clip(s2, top), Clip(s3, top));
                    Vector.Narrow(lowHalf, highHalf).CopyTo(target.Slice(i, lanes));
                }
            }
            for (; i < rowBytes; i++)
            {
                int sum = Half;
                for (int t = 0; t < count; t++) sum += temp[(first + t) * rowBytes + i] * weights[t];
                target[i] = Clip(sum);
            }
        }
    }

    /// <summary>Pillow's clip8 on a vector of sums: the fixed point's integer part, clamped to 0–255 (so it narrows exactly).</summary>
    private static Vector<uint> Clip(Vector<int> sums, Vector<int> top) =>
        Vector.AsVectorUInt32(Vector.Max(Vector.Min(Vector.ShiftRightArithmetic(sums, PrecisionBits), top), Vector<int>.Zero));

    private static byte Clip(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    /// <summary>One axis's taps for the window's outputs: first source index, tap count and fixed-point weights (<see cref="Width"/> slots each).</summary>
    private sealed class Taps(int[] first, int[] count, int[] weights, int width)
    {
        public int[] First { get; } = first;
        public int[] Count { get; } = count;
        public int[] Weights { get; } = weights;
        public int Width { get; } = width;

        /// <summary>Pillow's precompute_coeffs and normalize_coeffs_8bpc for outputs [start, start + length) of a resize from <paramref name="inSize"/> to <paramref name="outSize"/>.</summary>
        public static Taps For(int inSize, int outSize, int start, int length)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = filterScale; // the triangle's support is 1, widened when shrinking
            int width = (int)Math.Ceiling(support) * 2 + 1;
            var first = new int[length];
            var count = new int[length];
            var weights = new int[length * width];
            var raw = new double[width];
            double reciprocal = 1.0 / filterScale; // multiplied, as Pillow does: a division can differ in the last bit
            for (int i = 0; i < length; i++)
            {
                double center = (start + i + 0.5) * scale;
                int min = Math.Max((int)(center - support + 0.5), 0);
                int n = Math.Min((int)(center + support + 0.5), inSize) - min;
                double total = 0;
                for (int t = 0; t < n; t++)
                {
                    raw[t] = Triangle((t + min - center + 0.5) * reciprocal);
                    total += raw[t];
                }
                for (int t = 0; t < n; t++)
                {
                    double w = total != 0 ? raw[t] / total : raw[t];
                    weights[i * width + t] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
                }
                first[i] = min;
                count[i] = n;
            }
            return new Taps(first, count, weights, width);
        }

        private static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
