using Atlas.Core.Data;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// Deterministic noise images of a model's input size: a data set that costs no disk or decoding, so a
/// pass measures the model and the pipeline around it. Images repeat from a small pool: drawing fresh
/// random numbers for every pixel would itself be slower than a GPU's forward pass.
/// </summary>
public sealed class NoiseImageDataset : IByteImageDataset
{
    private const int Pool = 64;
    private readonly float[] pool;
    private readonly byte[] bytePool;
    private readonly int perImage;

    public NoiseImageDataset(int count, int channels, int height, int width)
    {
        (Count, Channels, Height, Width) = (count, channels, height, width);
        perImage = channels * height * width;
        var random = new Random(0);
        pool = new float[Pool * perImage];
        // 8-bit values, as every decoder makes them, so a GPU pass sends them as bytes like real images.
        bytePool = new byte[Pool * perImage];
        random.NextBytes(bytePool);
        for (int i = 0; i < pool.Length; i++) pool[i] = bytePool[i] / 255f;
    }

    public string Name => "noise";
    public int Count { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames => [];

    public bool ConcurrentReads => true;

    public ImageBatch Read(int start, int count)
    {
        // Batches with the same pool offset hold the same pixels, so each is laid out once and shared (readers
        // only read it). A real data set's cost is decoding, which this one leaves out on purpose; making a
        // fresh 308 MB array per 512-image batch would instead measure the .NET allocator and memory copies,
        // which capped the H200 figure at about 11,400 images/s whatever the network's precision.
        var pixels = batches.GetOrAdd((start % Pool, count), key =>
        {
            var laidOut = new float[key.Count * perImage];
            for (int i = 0; i < key.Count; i++) Array.Copy(pool, (key.Offset + i) % Pool * perImage, laidOut, i * perImage, perImage);
            return laidOut;
        });
        return new ImageBatch(start, count, pixels, Enumerable.Repeat(-1, count).ToArray());
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Offset, int Count), float[]> batches = new();

    /// <summary>A GPU pass's path, as an image folder's: each image's bytes copied into the batch buffer.</summary>
    public ImageSlice ReadBytes(int start, int count, Span<byte> destination)
    {
        for (int i = 0; i < count; i++)
            bytePool.AsSpan((start + i) % Pool * perImage, perImage).CopyTo(destination.Slice(i * perImage, perImage));
        return new ImageSlice(start, count, Enumerable.Repeat(-1, count).ToArray());
    }

    public void Dispose() { }
}
