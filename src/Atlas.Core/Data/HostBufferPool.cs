using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Data;

/// <summary>
/// Page-locked batch buffers kept between dataset passes. Such a buffer is slow to make (the driver pins
/// every page) and an atlas job scans one shard after another with the same batch shape, so each pass
/// would otherwise pin its buffers again: with 8 readers that is 17 buffers of 77 MB per shard for 512
/// images at 224 px, paid inside every pass. At most <see cref="MostIdleBytes"/> wait here; the rest are freed.
/// </summary>
public static class HostBufferPool
{
    public const long MostIdleBytes = 4L << 30;

    private static readonly ConcurrentDictionary<(string Shape, ScalarType Type, bool Pinned), ConcurrentBag<Tensor>> Idle = new();
    private static long idleBytes;

    /// <summary>A buffer of the given shape and type (contents undefined), outside any dispose scope; give it back with <see cref="Return"/>.</summary>
    public static Tensor Rent(long[] shape, ScalarType type, bool pinned)
    {
        if (Idle.TryGetValue(Key(shape, type, pinned), out var bag) && bag.TryTake(out var buffer))
        {
            Interlocked.Add(ref idleBytes, -Bytes(buffer));
            return buffer;
        }
        using var scope = NewDisposeScope();
        var made = empty(shape, dtype: type);
        if (pinned) made = made.pin_memory();
        return made.DetachFromDisposeScope();
    }

    /// <summary>Keeps <paramref name="buffer"/> for the next pass, or frees it when enough are waiting.</summary>
    public static void Return(Tensor buffer)
    {
        long bytes = Bytes(buffer);
        if (Interlocked.Add(ref idleBytes, bytes) > MostIdleBytes)
        {
            Interlocked.Add(ref idleBytes, -bytes);
            buffer.Dispose();
            return;
        }
        Idle.GetOrAdd(Key(buffer.shape, buffer.dtype, pinned: buffer.device_type == DeviceType.CPU && buffer.is_pinned()), _ => new ConcurrentBag<Tensor>()).Add(buffer);
    }

    private static (string, ScalarType, bool) Key(long[] shape, ScalarType type, bool pinned) => (string.Join('x', shape), type, pinned);

    private static long Bytes(Tensor buffer) => buffer.numel() * buffer.element_size();
}
