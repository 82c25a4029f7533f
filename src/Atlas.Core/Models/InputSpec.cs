namespace Atlas.Core.Models;

/// <summary>What a model expects as input: size, channel count and per-channel normalization of [0,1] pixels.</summary>
public sealed record InputSpec(int Channels, int Height, int Width, float[] Mean, float[] Std)
{
    public int PixelsPerImage => Channels * Height * Width;
}
