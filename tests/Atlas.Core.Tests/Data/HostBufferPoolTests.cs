using Atlas.Core.Data;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Data;

public class HostBufferPoolTests
{
    [Fact]
    public void A_returned_buffer_serves_the_next_pass_of_the_same_shape_and_type_only()
    {
        TorchRuntime.Initialize();
        // A shape no other test uses, so buffers left by other tests cannot answer.
        long[] shape = [3, 5, 7, 11];
        var first = HostBufferPool.Rent(shape, ScalarType.Byte, pinned: false);
        HostBufferPool.Return(first);
        using var otherType = HostBufferPool.Rent(shape, ScalarType.Float32, pinned: false);
        Assert.NotSame(first, otherType);
        var again = HostBufferPool.Rent(shape, ScalarType.Byte, pinned: false);
        Assert.Same(first, again);
        var fresh = HostBufferPool.Rent(shape, ScalarType.Byte, pinned: false); // the pool is empty again
        Assert.NotSame(again, fresh);
        Assert.Equal(shape, fresh.shape);
        again.Dispose();
        fresh.Dispose();
    }

    [Fact]
    public void Buffers_beyond_the_idle_limit_are_freed()
    {
        TorchRuntime.Initialize();
        long perBuffer = HostBufferPool.MostIdleBytes / 2 + 1; // two cannot both wait
        var a = HostBufferPool.Rent([perBuffer], ScalarType.Byte, pinned: false);
        var b = HostBufferPool.Rent([perBuffer], ScalarType.Byte, pinned: false);
        HostBufferPool.Return(a);
        HostBufferPool.Return(b);
        Assert.False(a.IsInvalid);
        Assert.True(b.IsInvalid); // freed, not kept
        Assert.Same(a, HostBufferPool.Rent([perBuffer], ScalarType.Byte, pinned: false));
        a.Dispose();
    }
}
