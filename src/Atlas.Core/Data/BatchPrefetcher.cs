using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Data;

/// <summary>
/// Reads and decodes the next batches of a data set on background threads while the device works on
/// the current one. Several readers work on consecutive batches at once (decoding is CPU work a GPU
/// outpaces), and batches are handed over in order. Each arrives as a host tensor from a pool of reused
/// buffers, page-locked when the model is on a GPU so its copy to the device is a DMA the CPU need not
/// wait for (those are kept for the next pass by <see cref="HostBufferPool"/>). The consumer hands each
/// buffer back with <see cref="Release"/> once the device no longer reads it (after the batch's results
/// came back to the host, which waits for everything queued before).
/// For a GPU, batches travel as bytes (<see cref="PixelBytes"/>): a quarter of the traffic, and exact; data sets
/// that hold bytes (<see cref="IByteImageDataset"/>) write them straight into the buffer.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    private readonly BlockingCollection<PrefetchedBatch>[] ready;
    private readonly BlockingCollection<Tensor> free = new();
    private readonly List<Tensor> buffers = [];
    private readonly CancellationTokenSource stop;
    private readonly Task[] readers;
    private readonly bool pin; // page-locked buffers, for asynchronous copies to a GPU

    // Packing a batch into bytes and copying it is single-threaded work per batch, so a GPU machine's cores
    // pack several batches at once (half of 16 cores: 8). Raised from 4 together with two other host-side
    // changes that lifted the H200 pass from ~11,400 to 12,887 images/s in bf16 (bench/RESULTS.md); its own
    // share was not measured. Each reader holds two buffers (77 MB each as bytes for 512 images at 224 px).
    public const int MostReaders = 8;

    /// <param name="readers">Batches decoded at once (default: half the cores, 1 to 8); 1 for data sets without <see cref="IImageDataset.ConcurrentReads"/>.</param>
    /// <param name="packBytes">Hand batches over as uint8 pixels (default: <see cref="PixelBytes.SentTo"/> the device).</param>
    public BatchPrefetcher(IImageDataset data, int start, int count, int batchSize, Device device, CancellationToken cancellationToken, int? readers = null, bool? packBytes = null)
    {
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        pin = device.type == DeviceType.CUDA;
        var bufferType = (packBytes ?? PixelBytes.SentTo(device)) ? ScalarType.Byte : ScalarType.Float32;
        int size = Math.Max(1, Math.Min(batchSize, count));
        int batches = (count + batchSize - 1) / batchSize;
        int workers = data.ConcurrentReads ? Math.Clamp(readers ?? Environment.ProcessorCount / 2, 1, Math.Max(1, Math.Min(MostReaders, batches))) : 1;
        ready = Enumerable.Range(0, workers).Select(_ => new BlockingCollection<PrefetchedBatch>(1)).ToArray();
        // Each reader may hold one buffer it fills and one waiting; the consumer holds one more.
        for (int i = 0; i < 2 * workers + 1; i++)
        {
            long[] shape = [size, data.Channels, data.Height, data.Width];
            buffers.Add(pin ? HostBufferPool.Rent(shape, bufferType, pinned: true) : empty(shape, dtype: bufferType).DetachFromDisposeScope());
            free.Add(buffers[^1]);
        }
        this.readers = Enumerable.Range(0, workers).Select(worker => Task.Factory.StartNew(() =>
        {
            try
            {
                Read(data, start, count, batchSize, batches, worker, workers);
            }
            catch
            {
                stop.Cancel(); // the other readers and the consumer stop; Batches() reports this failure
                throw;
            }
            finally
            {
                ready[worker].CompleteAdding();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
    }

    private void Read(IImageDataset data, int start, int count, int batchSize, int batches, int worker, int workers)
    {
        // Reader w decodes batches w, w + W, w + 2W, …; the consumer takes them round-robin, so in order.
        for (int b = worker; b < batches; b += workers)
        {
            int offset = b * batchSize, size = Math.Min(batchSize, count - offset);
            var buffer = free.Take(stop.Token);
            // A short last batch is a view of the buffer's first rows.
            var pixels = size == buffer.shape[0] ? buffer : buffer.narrow(0, 0, size);
            ImageSlice slice;
            if (data is IByteImageDataset byteSource)
                slice = buffer.dtype == ScalarType.Byte ? byteSource.ReadBytes(start + offset, size, pixels.bytes) : byteSource.ReadFloats(start + offset, size, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(pixels.bytes));
            else
            {
                var batch = data.Read(start + offset, size);
                slice = batch.Slice;
                if (buffer.dtype == ScalarType.Float32) HostPixels.CopyInto(pixels, batch.Pixels);
                else if (!PixelBytes.TryPack(batch.Pixels, pixels.bytes))
                {
                    // Pixels that are not 8-bit values (no decoder here makes them) travel as floats in a
                    // buffer of their own, which Release frees; rounding them would change what the model sees.
                    if (!ReferenceEquals(pixels, buffer)) pixels.Dispose();
                    using var scope = NewDisposeScope();
                    var floats = empty([batch.Count, data.Channels, data.Height, data.Width]);
                    if (pin) floats = floats.pin_memory();
                    HostPixels.CopyInto(floats, batch.Pixels);
                    pixels = floats.DetachFromDisposeScope();
                }
            }
            ready[worker].Add(new PrefetchedBatch(slice, pixels, buffer), stop.Token);
        }
    }

    /// <summary>The batches in order; a failure of a reader surfaces here, on the consumer's thread.</summary>
    public IEnumerable<PrefetchedBatch> Batches()
    {
        for (int b = 0; ; b++)
        {
            var queue = ready[b % ready.Length];
            PrefetchedBatch? next;
            try
            {
                if (!queue.TryTake(out next, Timeout.Infinite, stop.Token)) break; // this reader is done, so all batches are
            }
            catch (OperationCanceledException)
            {
                ThrowReaderFailure();
                throw;
            }
            yield return next;
        }
        ThrowReaderFailure();
    }

    /// <summary>Rethrows the first reader's own error (not the cancellations it caused in the others).</summary>
    private void ThrowReaderFailure()
    {
        try
        {
            Task.WaitAll(readers);
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) is { } cause)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
    }

    /// <summary>Returns a batch's buffer for reuse: the device must be done reading it.</summary>
    public void Release(PrefetchedBatch batch)
    {
        if (!ReferenceEquals(batch.Buffer, batch.Pixels)) batch.Pixels.Dispose();
        free.Add(batch.Buffer);
    }

    public void Dispose()
    {
        stop.Cancel();
        try { Task.WaitAll(readers); } catch (AggregateException) { } // cancelled, or already reported by Batches()
        // Page-locked buffers are slow to make, so the next pass (shard) reuses them; plain ones are cheap.
        foreach (var buffer in buffers)
        {
            if (pin) HostBufferPool.Return(buffer);
            else buffer.Dispose();
        }
        foreach (var queue in ready) queue.Dispose();
        free.Dispose();
        stop.Dispose();
    }
}

/// <summary>
/// A decoded batch: which images (<paramref name="Batch"/>) and their pixels as a host tensor (a view of
/// <paramref name="Buffer"/>, the prefetcher's), float32 in [0,1] or uint8 (see <see cref="PixelBytes"/>).
/// </summary>
public sealed record PrefetchedBatch(ImageSlice Batch, Tensor Pixels, Tensor Buffer)
{
    /// <summary>
    /// The batch as float32 [0,1] pixels on <paramref name="device"/>, for the caller to dispose. The copy to a
    /// GPU is asynchronous: the buffer stays in use until the device has read it (see <see cref="BatchPrefetcher.Release"/>).
    /// </summary>
    public Tensor PixelsOn(Device device)
    {
        bool here = device.type == DeviceType.CPU; // the buffers are host memory
        if (Pixels.dtype == ScalarType.Byte)
        {
            if (here) return PixelBytes.Unpack(Pixels);
            using var onDevice = Pixels.to(device, non_blocking: true);
            return PixelBytes.Unpack(onDevice);
        }
        return here ? Pixels.alias() : Pixels.to(device, non_blocking: true);
    }
}
