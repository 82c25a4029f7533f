using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>Encodes C×H×W float pixels in [0,1] (1 = grayscale, 3 = RGB) as PNG.</summary>
public static class PngEncoder
{
    // zlib level 4 rather than Skia's default 6: the same size on photos and feature visualizations at 224 px
    // (71 and 76 KB), in 9 rather than 22 ms for a photo. An ImageNet atlas stores tens of thousands of example
    // pictures; level 3 would halve the time again but add 10-14 % to every file (bench/RESULTS.md).
    private static readonly SKPngEncoderOptions Options = new(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 4);

    public static byte[] Encode(ReadOnlySpan<float> pixels, int channels, int height, int width)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"cannot encode {channels}-channel images as PNG", nameof(channels));
        if (pixels.Length != channels * height * width) throw new ArgumentException($"{pixels.Length} values for a {channels}×{height}×{width} image", nameof(pixels));
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        int plane = height * width;
        var bytes = new byte[plane * 4];
        for (int i = 0; i < plane; i++)
        {
            byte r = ToByte(pixels[i]);
            byte g = channels == 3 ? ToByte(pixels[plane + i]) : r;
            byte b = channels == 3 ? ToByte(pixels[2 * plane + i]) : r;
            bytes[4 * i] = r;
            bytes[4 * i + 1] = g;
            bytes[4 * i + 2] = b;
            bytes[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(Options) ?? throw new InvalidOperationException($"Skia could not encode a {width}×{height} PNG");
        return data.ToArray();
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value * 255f), 0, 255);
}
