using Atlas.Core.Data;

namespace Atlas.Cli.Commands.Bench;

/// <summary>Deterministic noise images of a model's input size: a data set that costs no disk or decoding, so a pass measures the model.</summary>
public sealed class NoiseImageDataset(int count, int channels, int height, int width) : IImageDataset
{
    public string Name => "noise";
    public int Count => count;
    public int Channels => channels;
    public int Height => height;
    public int Width => width;
    public IReadOnlyList<string> ClassNames => [];

    public ImageBatch Read(int start, int count)
    {
        var random = new Random(start);
        var pixels = new float[count * channels * height * width];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = random.NextSingle();
        return new ImageBatch(start, count, pixels, Enumerable.Repeat(-1, count).ToArray());
    }

    public void Dispose() { }
}
