using Atlas.Core.Data;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Data;

public class BatchPrefetcherTests
{
    /// <summary>Image i is filled with the value i / scale (and can fail on request), read from several threads at once.</summary>
    private class NumberedImages(int count, int failAt = -1, float scale = 1f) : IImageDataset
    {
        public int FloatReads;
        public string Name => "numbered";
        public int Count => count;
        public int Channels => 1;
        public int Height => 3;
        public int Width => 2;
        public IReadOnlyList<string> ClassNames => [];
        public bool ConcurrentReads => true;

        public ImageBatch Read(int start, int n)
        {
            if (failAt >= start && failAt < start + n) throw new InvalidDataException($"image {failAt} is unreadable");
            Interlocked.Increment(ref FloatReads);
            Thread.Sleep(Random.Shared.Next(3)); // readers finish out of order
            var pixels = Enumerable.Range(start, n).SelectMany(i => Enumerable.Repeat(i / scale, 6)).ToArray();
            return new ImageBatch(start, n, pixels, Enumerable.Range(start, n).ToArray());
        }

        public void Dispose() { }
    }

    [Fact]
    public void Batches_arrive_in_order_with_their_own_pixels_when_several_readers_decode_at_once()
    {
        TorchRuntime.Initialize();
        using var data = new NumberedImages(103);
        using var prefetcher = new BatchPrefetcher(data, start: 5, count: 98, batchSize: 10, CPU, CancellationToken.None, readers: 3);
        int expected = 5;
        foreach (var batch in prefetcher.Batches())
        {
            Assert.Equal(expected, batch.Batch.Start);
            var values = HostPixels.ToArray(batch.Pixels);
            Assert.Equal(batch.Batch.Count * 6, values.Length);
            for (int i = 0; i < batch.Batch.Count; i++) Assert.Equal(expected + i, values[i * 6 + 5]);
            expected += batch.Batch.Count;
            prefetcher.Release(batch);
        }
        Assert.Equal(103, expected); // the short last batch (8 images) came too
    }

    [Theory]
    [InlineData(255f)] // image i is filled with i/255: every batch travels as bytes
    [InlineData(300f)] // i/300 is no byte value: those batches travel as floats, unrounded
    public void Packed_batches_arrive_as_the_same_float_pixels(float scale)
    {
        TorchRuntime.Initialize();
        using var data = new NumberedImages(240, scale: scale);
        using var prefetcher = new BatchPrefetcher(data, 0, 240, 50, CPU, CancellationToken.None, readers: 2, packBytes: true);
        int expected = 0;
        foreach (var batch in prefetcher.Batches())
        {
            Assert.Equal(scale == 255f ? ScalarType.Byte : ScalarType.Float32, batch.Pixels.dtype);
            using var pixels = batch.PixelsOn(CPU);
            Assert.Equal(ScalarType.Float32, pixels.dtype);
            var values = HostPixels.ToArray(pixels);
            Assert.Equal(Enumerable.Range(batch.Batch.Start, batch.Batch.Count).SelectMany(i => Enumerable.Repeat(i / scale, 6)), values);
            expected += batch.Batch.Count;
            prefetcher.Release(batch);
        }
        Assert.Equal(240, expected);
    }

    /// <summary>Image i holds the byte i (i / 255 as floats, for i up to 255); counts how it was read.</summary>
    private sealed class NumberedByteImages(int count) : NumberedImages(count, scale: 255f), IByteImageDataset
    {
        public int ByteReads;

        public ImageSlice ReadBytes(int start, int n, Span<byte> destination)
        {
            Interlocked.Increment(ref ByteReads);
            for (int i = 0; i < n; i++) destination.Slice(6 * i, 6).Fill((byte)(start + i));
            return new ImageSlice(start, n, Enumerable.Range(start, n).ToArray());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_data_set_that_holds_bytes_is_read_as_bytes_for_byte_and_float_batches_alike(bool packBytes)
    {
        TorchRuntime.Initialize();
        var data = new NumberedByteImages(256);
        using var prefetcher = new BatchPrefetcher(data, 7, 249, 50, CPU, CancellationToken.None, readers: 3, packBytes: packBytes);
        int expected = 7;
        foreach (var batch in prefetcher.Batches())
        {
            Assert.Equal(packBytes ? ScalarType.Byte : ScalarType.Float32, batch.Pixels.dtype);
            using var pixels = batch.PixelsOn(CPU);
            Assert.Equal(Enumerable.Range(expected, batch.Batch.Count).SelectMany(i => Enumerable.Repeat(i / 255f, 6)), HostPixels.ToArray(pixels));
            Assert.Equal(Enumerable.Range(expected, batch.Batch.Count), batch.Batch.Labels);
            expected += batch.Batch.Count;
            prefetcher.Release(batch);
        }
        Assert.Equal(256, expected);
        // Float batches too are read as bytes and widened into the buffer: no fresh float array per batch.
        Assert.Equal((0, 5), (data.FloatReads, data.ByteReads));
    }

    [Fact]
    public void A_reader_failure_surfaces_with_its_own_message()
    {
        TorchRuntime.Initialize();
        using var data = new NumberedImages(60, failAt: 37);
        using var prefetcher = new BatchPrefetcher(data, 0, 60, 10, CPU, CancellationToken.None, readers: 2);
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var batch in prefetcher.Batches()) prefetcher.Release(batch);
        });
        Assert.Contains("image 37", error.Message);
    }

    [Fact]
    public void Host_pixels_round_trip_through_a_view_of_a_larger_tensor()
    {
        TorchRuntime.Initialize();
        using var buffer = zeros(4, 1, 3, 2);
        using var view = buffer.narrow(0, 1, 2);
        var pixels = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        HostPixels.CopyInto(view, pixels);
        Assert.Equal(pixels, HostPixels.ToArray(view));
        Assert.Equal(0f, buffer[0].sum().item<float>());
        Assert.Equal(0f, buffer[3].sum().item<float>());
        Assert.Throws<ArgumentException>(() => HostPixels.CopyInto(view, new float[5]));
    }
}
