using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>Encodes C×H×W float pixels in [0,1] (1 = grayscale, 3 = RGB) as PNG.</summary>
public static class PngEncoder
{
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
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value * 255f), 0, 255);
}
