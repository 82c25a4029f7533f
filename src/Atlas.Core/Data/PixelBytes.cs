using System.Collections.Concurrent;
using System.Numerics;
using static TorchSharp.torch;

namespace Atlas.Core.Data;

/// <summary>
/// Sends dataset pixels to a GPU as one byte each instead of a float32. Every decoder here makes pixels
/// as <c>b / 255f</c> from 8-bit images, so a byte holds them exactly: a 512-image batch at 224 px is
/// 77 MB rather than 308 MB of host-to-device traffic, which bounds the dataset pass on a fast GPU.
/// Packing checks every value and refuses a batch it cannot hold exactly, so nothing is ever rounded.
/// </summary>
public static class PixelBytes
{
    private static readonly ConcurrentDictionary<string, Tensor> Tables = new();

    /// <summary>Whether batches for <paramref name="device"/> travel as bytes by default: for a GPU, where the copy is the cost; a CPU has no copy to save.</summary>
    public static bool SentTo(Device device) => device.type == TorchSharp.DeviceType.CUDA;

    /// <summary>
    /// Writes each pixel's byte into <paramref name="bytes"/> when every pixel is exactly k/255 for an
    /// integer k in 0–255; returns false (with <paramref name="bytes"/> partly written) when one is not.
    /// </summary>
    public static bool TryPack(ReadOnlySpan<float> pixels, Span<byte> bytes)
    {
        if (bytes.Length < pixels.Length) throw new ArgumentException($"{bytes.Length} bytes for {pixels.Length} pixels", nameof(bytes));
        int i = 0;
        int lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            // Four float vectors narrow to one byte vector (int → short → byte).
            for (; i <= pixels.Length - 4 * lanes; i += 4 * lanes)
            {
                if (!TryQuantize(pixels.Slice(i, lanes), out var q0) || !TryQuantize(pixels.Slice(i + lanes, lanes), out var q1)
                    || !TryQuantize(pixels.Slice(i + 2 * lanes, lanes), out var q2) || !TryQuantize(pixels.Slice(i + 3 * lanes, lanes), out var q3))
                    return false;
                var low = Vector.Narrow(q0, q1);
                var high = Vector.Narrow(q2, q3);
                Vector.AsVectorByte(Vector.Narrow(Vector.AsVectorUInt16(low), Vector.AsVectorUInt16(high))).CopyTo(bytes.Slice(i));
            }
        }
        for (; i < pixels.Length; i++)
        {
            float q = MathF.Round(pixels[i] * 255f);
            if (!(q is >= 0f and <= 255f) || q / 255f != pixels[i]) return false;
            bytes[i] = (byte)q;
        }
        return true;
    }

    /// <summary>
    /// The float pixels of <paramref name="bytes"/>: each byte / 255, the value every decoder here makes (IEEE
    /// division rounds the same in vector lanes as in scalar code, so this is bit for bit the decoders' float).
    /// </summary>
    public static void ToFloats(ReadOnlySpan<byte> bytes, Span<float> pixels)
    {
        if (pixels.Length < bytes.Length) throw new ArgumentException($"{pixels.Length} floats for {bytes.Length} bytes", nameof(pixels));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(255f);
            int lanes = Vector<byte>.Count;
            for (; i <= bytes.Length - lanes; i += lanes)
            {
                Vector.Widen(new Vector<byte>(bytes.Slice(i, lanes)), out var low, out var high);
                Vector.Widen(low, out var q0, out var q1);
                Vector.Widen(high, out var q2, out var q3);
                int quarter = Vector<float>.Count;
                (Vector.ConvertToSingle(Vector.AsVectorInt32(q0)) / scale).CopyTo(pixels.Slice(i, quarter));
                (Vector.ConvertToSingle(Vector.AsVectorInt32(q1)) / scale).CopyTo(pixels.Slice(i + quarter, quarter));
                (Vector.ConvertToSingle(Vector.AsVectorInt32(q2)) / scale).CopyTo(pixels.Slice(i + 2 * quarter, quarter));
                (Vector.ConvertToSingle(Vector.AsVectorInt32(q3)) / scale).CopyTo(pixels.Slice(i + 3 * quarter, quarter));
            }
        }
        for (; i < bytes.Length; i++) pixels[i] = bytes[i] / 255f;
    }

    private static bool TryQuantize(ReadOnlySpan<float> values, out Vector<int> quantized)
    {
        var v = new Vector<float>(values);
        var scale = new Vector<float>(255f);
        var q = Vector.Round(v * scale);
        quantized = Vector.ConvertToInt32(q);
        // Division rounds exactly as the decoders' scalar b / 255f does (IEEE), so equality means exact. NaN fails it.
        return Vector.EqualsAll(q / scale, v) && Vector.GreaterThanOrEqualAll(q, Vector<float>.Zero) && Vector.LessThanOrEqualAll(q, scale);
    }

    /// <summary>
    /// The float32 pixels of <paramref name="bytes"/> (uint8, any shape), on the same device: bit for bit the
    /// values the decoders made. A 256-entry table lookup rather than a division, because libtorch may
    /// divide by a scalar as a multiplication by its reciprocal, which differs in the last bit.
    /// </summary>
    public static Tensor Unpack(Tensor bytes)
    {
        var table = Tables.GetOrAdd(bytes.device.ToString(), _ =>
        {
            var values = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();
            return tensor(values).to(bytes.device).DetachFromDisposeScope();
        });
        using var indices = bytes.flatten().to(ScalarType.Int64);
        using var flat = table.index_select(0, indices);
        return flat.view(bytes.shape);
    }
}
