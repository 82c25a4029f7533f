using SkiaSharp;

namespace Atlas.Core.Data;

/// <summary>
/// Presents another data set at a model's geometry (resize shorter side, center crop, grey↔RGB), one
/// slice at a time; used when IDX images (28×28 grey) feed a model with another input convention.
/// </summary>
public sealed class ConformedDataset : IImageDataset
{
    private readonly IImageDataset inner;
    private readonly ImageGeometry geometry;

    public ConformedDataset(IImageDataset inner, ImageGeometry geometry)
    {
        if (inner.Channels is not (1 or 3)) throw new ArgumentException($"cannot convert {inner.Channels}-channel images", nameof(inner));
        this.inner = inner;
        this.geometry = geometry;
    }

    public string Name => inner.Name;
    public int Count => inner.Count;
    public int Channels => geometry.Channels;
    public int Height => geometry.Size;
    public int Width => geometry.Size;
    public IReadOnlyList<string> ClassNames => inner.ClassNames;

    public bool ConcurrentReads => inner.ConcurrentReads;

    public IReadOnlyList<SkippedImage> SkippedImages => inner.SkippedImages;

    public ImageBatch Read(int start, int count)
    {
        var source = inner.Read(start, count);
        int sourceStride = inner.Channels * inner.Height * inner.Width, stride = geometry.PixelsPerImage;
        var pixels = new float[count * stride];
        using var bitmap = new SKBitmap(new SKImageInfo(inner.Width, inner.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int i = 0; i < count; i++)
        {
            if (source.IsSkipped(i)) continue;
            Fill(bitmap, source.Pixels.AsSpan(i * sourceStride, sourceStride));
            ImageConformer.Conform(bitmap, geometry, pixels.AsSpan(i * stride, stride));
        }
        return source with { Pixels = pixels };
    }

    private void Fill(SKBitmap bitmap, ReadOnlySpan<float> chw)
    {
        int plane = inner.Height * inner.Width;
        var rgba = new byte[plane * 4];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
                rgba[4 * p + c] = (byte)Math.Clamp(MathF.Round(chw[(inner.Channels == 1 ? 0 : c) * plane + p] * 255f), 0, 255);
            rgba[4 * p + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
    }

    public void Dispose() => inner.Dispose();
}
