using Atlas.Core.Data;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// Deterministic noise images of a model's input size: a data set that costs no disk or decoding, so a
/// pass measures the model and the pipeline around it. Images repeat from a small pool of 8-bit pixels:
/// drawing fresh random numbers for every pixel would itself be slower than a GPU's forward pass. A pass
/// takes them as bytes (<see cref="ReadBytes"/>), as it takes an image folder's.
/// </summary>
public sealed class NoiseImageDataset : IByteImageDataset
{
    private const int Pool = 64;
    private readonly byte[] pool;
    private readonly int perImage;

    public NoiseImageDataset(int count, int channels, int height, int width)
    {
        (Count, Channels, Height, Width) = (count, channels, height, width);
        perImage = channels * height * width;
        pool = new byte[Pool * perImage];
        new Random(0).NextBytes(pool);
    }

    public string Name => "noise";
    public int Count { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames => [];

    public bool ConcurrentReads => true;

    public ImageBatch Read(int start, int count) => this.ReadBatch(start, count);

    /// <summary>Each image's bytes copied into the batch buffer: the copy an image folder's pass makes too.</summary>
    public ImageSlice ReadBytes(int start, int count, Span<byte> destination)
    {
        ImageSlice.Check(start, count, Count);
        for (int i = 0; i < count; i++)
            pool.AsSpan((start + i) % Pool * perImage, perImage).CopyTo(destination.Slice(i * perImage, perImage));
        return new ImageSlice(start, count, Enumerable.Repeat(-1, count).ToArray());
    }

    public void Dispose() { }
}
