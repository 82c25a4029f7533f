using SkiaSharp;

namespace Atlas.Core.Data;

/// <summary>
/// Turns a decoded image into model pixels: resize the shorter side, center crop, convert colour, write
/// C×H×W floats in [0,1]. Alpha is dropped without compositing, like PIL's convert("RGB") in torchvision's
/// ImageFolder loader; grey is ITU-R 601 luma with PIL's integer weights.
/// </summary>
public static class ImageConformer
{
    public static void Conform(SKBitmap source, ImageGeometry geometry, Span<float> destination)
    {
        if (destination.Length != geometry.PixelsPerImage)
            throw new ArgumentException($"destination holds {destination.Length} floats, the geometry needs {geometry.PixelsPerImage}", nameof(destination));
        var (width, height) = ResizedSize(source.Width, source.Height, geometry.ResizeShorterSide);
        SKBitmap? resized = null;
        try
        {
            var pixels = source;
            if (width != source.Width || height != source.Height)
            {
                resized = source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul),
                    new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
                    ?? throw new InvalidDataException($"could not resize a {source.Width}×{source.Height} image");
                pixels = resized;
            }
            Crop(pixels, geometry, destination);
        }
        finally
        {
            resized?.Dispose();
        }
    }

    /// <summary>torchvision's Resize(int): the shorter side becomes <paramref name="shorter"/>, the longer keeps the aspect ratio (truncated).</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int shorter) =>
        width <= height
            ? (shorter, (int)((long)shorter * height / width))
            : ((int)((long)shorter * width / height), shorter);

    private static void Crop(SKBitmap bitmap, ImageGeometry geometry, Span<float> destination)
    {
        int size = geometry.Size, plane = size * size;
        // torchvision's CenterCrop: offset round((full - crop) / 2), Python rounding (half to even).
        int left = (int)Math.Round((bitmap.Width - size) / 2.0, MidpointRounding.ToEven);
        int top = (int)Math.Round((bitmap.Height - size) / 2.0, MidpointRounding.ToEven);
        if (left < 0 || top < 0) throw new InvalidDataException($"a {bitmap.Width}×{bitmap.Height} image is smaller than the {size}×{size} crop");
        var rgba = bitmap.ColorType == SKColorType.Rgba8888 ? bitmap : bitmap.Copy(SKColorType.Rgba8888);
        try
        {
            var bytes = rgba.GetPixelSpan();
            int stride = rgba.RowBytes;
            for (int y = 0; y < size; y++)
            {
                var row = bytes.Slice((top + y) * stride + left * 4, size * 4);
                for (int x = 0; x < size; x++)
                {
                    int r = row[4 * x], g = row[4 * x + 1], b = row[4 * x + 2];
                    int at = y * size + x;
                    if (geometry.Channels == 1)
                        destination[at] = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) / 255f;
                    else
                    {
                        destination[at] = r / 255f;
                        destination[plane + at] = g / 255f;
                        destination[2 * plane + at] = b / 255f;
                    }
                }
            }
        }
        finally
        {
            if (!ReferenceEquals(rgba, bitmap)) rgba.Dispose();
        }
    }
}
