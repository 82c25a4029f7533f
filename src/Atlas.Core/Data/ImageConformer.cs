using System.Buffers;
using SkiaSharp;

namespace Atlas.Core.Data;

/// <summary>
/// Turns a decoded image into model pixels as torchvision's evaluation transforms do to an ImageFolder's PIL
/// images: resize the shorter side (Pillow's antialiased bilinear, <see cref="BilinearResampler"/>), centre
/// crop, convert colour, and lay the result out C×H×W. Alpha is dropped without compositing, like PIL's
/// convert("RGB"); grey is ITU-R 601 luma with PIL's integer weights.
/// </summary>
public static class ImageConformer
{
    /// <summary>
    /// Raised whenever the pixels made from a given file change, so that results made from the old ones are not
    /// reused (config digest) or read back (pixel cache). 2: Pillow's resize replaced Skia's. 3: TIFF orientation tags are
    /// applied and 16-bit grey PNGs clipped, as Pillow does.
    /// </summary>
    public const int Version = 3;

    /// <summary>Writes the model's pixels as bytes (each value × 255, exactly what the float form holds).</summary>
    public static void Conform(SKBitmap source, ImageGeometry geometry, Span<byte> destination)
    {
        if (destination.Length != geometry.PixelsPerImage)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the geometry needs {geometry.PixelsPerImage}", nameof(destination));
        var (width, height) = ResizedSize(source.Width, source.Height, geometry.ResizeShorterSide);
        int size = geometry.Size;
        // torchvision's CenterCrop: offset round((full - crop) / 2), Python rounding (half to even).
        int left = (int)Math.Round((width - size) / 2.0, MidpointRounding.ToEven);
        int top = (int)Math.Round((height - size) / 2.0, MidpointRounding.ToEven);
        if (left < 0 || top < 0) throw new InvalidDataException($"a {width}×{height} image is smaller than the {size}×{size} crop");
        var rgba = source.ColorType == SKColorType.Rgba8888 ? source : source.Copy(SKColorType.Rgba8888);
        var rgb = ArrayPool<byte>.Shared.Rent(size * size * 3);
        try
        {
            BilinearResampler.ResizeWindow(rgba.GetPixelSpan(), rgba.Width, rgba.Height, rgba.RowBytes, width, height, left, top, size, rgb);
            ToPlanes(rgb, geometry, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
            if (!ReferenceEquals(rgba, source)) rgba.Dispose();
        }
    }

    /// <summary>Writes the model's pixels as floats in [0,1]: the bytes of the other overload, divided by 255.</summary>
    public static void Conform(SKBitmap source, ImageGeometry geometry, Span<float> destination)
    {
        if (destination.Length != geometry.PixelsPerImage)
            throw new ArgumentException($"destination holds {destination.Length} floats, the geometry needs {geometry.PixelsPerImage}", nameof(destination));
        var bytes = ArrayPool<byte>.Shared.Rent(geometry.PixelsPerImage);
        try
        {
            var span = bytes.AsSpan(0, geometry.PixelsPerImage);
            Conform(source, geometry, span);
            PixelBytes.ToFloats(span, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>torchvision's Resize(int): the shorter side becomes <paramref name="shorter"/>, the longer keeps the aspect ratio (truncated).</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int shorter) =>
        width <= height
            ? (shorter, (int)((long)shorter * height / width))
            : ((int)((long)shorter * width / height), shorter);

    /// <summary>ITU-R 601 luma with PIL's integer weights, as its convert("L") makes it.</summary>
    public static byte Luma(byte red, byte green, byte blue) => (byte)((red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16);

    private static void ToPlanes(ReadOnlySpan<byte> rgb, ImageGeometry geometry, Span<byte> destination)
    {
        int plane = geometry.Size * geometry.Size;
        if (geometry.Channels == 1)
        {
            for (int at = 0; at < plane; at++)
                destination[at] = Luma(rgb[3 * at], rgb[3 * at + 1], rgb[3 * at + 2]);
            return;
        }
        var red = destination[..plane];
        var green = destination.Slice(plane, plane);
        var blue = destination.Slice(2 * plane, plane);
        for (int at = 0; at < plane; at++)
        {
            red[at] = rgb[3 * at];
            green[at] = rgb[3 * at + 1];
            blue[at] = rgb[3 * at + 2];
        }
    }
}
