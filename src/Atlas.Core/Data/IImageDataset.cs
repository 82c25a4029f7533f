namespace Atlas.Core.Data;

/// <summary>
/// A labelled image collection read in slices, so a pass over it never holds the whole set in memory.
/// Pixels come back as floats in [0,1], image after image, each C×H×W.
/// </summary>
public interface IImageDataset : IDisposable
{
    string Name { get; }
    int Count { get; }
    int Channels { get; }
    int Height { get; }
    int Width { get; }
    IReadOnlyList<string> ClassNames { get; }

    ImageBatch Read(int start, int count);
}

/// <summary><paramref name="Labels"/> hold −1 for unlabelled images.</summary>
public sealed record ImageBatch(int Start, int Count, float[] Pixels, int[] Labels);
