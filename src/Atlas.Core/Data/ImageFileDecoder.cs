using SkiaSharp;

namespace Atlas.Core.Data;

/// <summary>
/// Decodes one image file with SkiaSharp into model pixels. Unless the geometry says otherwise, JPEGs (and
/// WebPs) are decoded at the smallest of their built-in reduced scales (1/2, 1/4, 1/8) that is still at least
/// the resize target, which is much faster for large photos; what the model sees then differs from a
/// full-size decode (which matches Pillow's byte for byte) only by resampling detail. TIFF and Netpbm files, which
/// Skia cannot read, are decoded whole (<see cref="Imaging.PillowParityDecoders"/>).
/// </summary>
public static class ImageFileDecoder
{
    /// <summary>Decodes <paramref name="path"/> into <paramref name="destination"/> as floats in [0,1]; returns why not, or null on success.</summary>
    public static string? TryDecode(string path, ImageGeometry geometry, Span<float> destination)
    {
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(geometry.PixelsPerImage);
        try
        {
            var span = bytes.AsSpan(0, geometry.PixelsPerImage);
            var problem = TryDecode(path, geometry, span);
            if (problem is null) PixelBytes.ToFloats(span, destination);
            return problem;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Decodes <paramref name="path"/> into <paramref name="destination"/> as bytes (each value × 255); returns why not, or null on success.</summary>
    public static string? TryDecode(string path, ImageGeometry geometry, Span<byte> destination)
    {
        try
        {
            using var stream = Imaging.PictureFile.OpenRead(path);
            using (var other = Imaging.PillowParityDecoders.TryDecode(stream))
            {
                if (other is not null)
                {
                    ImageConformer.Conform(other, geometry, destination);
                    return null;
                }
            }
            using var codec = SKCodec.Create(stream, out var created);
            if (codec is null) return $"not a decodable image ({created})";
            var full = codec.Info;
            if (full.Width <= 0 || full.Height <= 0) return "image has no pixels";
            Imaging.PixelLimit.Check(full.Width, full.Height);
            var size = geometry.ReducedScaleDecode ? DecodeSize(codec, geometry.ResizeShorterSide) : full.Size;
            var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            using var bitmap = new SKBitmap(info);
            var result = codec.GetPixels(info, bitmap.GetPixels());
            // IncompleteInput means a truncated file: part of the picture would be made up.
            if (result != SKCodecResult.Success) return $"decoding failed ({result})";
            ImageConformer.Conform(bitmap, geometry, destination);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            return e.Message.Split('\n')[0];
        }
    }

    private static SKSizeI DecodeSize(SKCodec codec, int shorterTarget)
    {
        var best = codec.Info.Size;
        foreach (var scale in new[] { 0.5f, 0.25f, 0.125f })
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (Math.Min(scaled.Width, scaled.Height) < shorterTarget) break;
            best = scaled;
        }
        return best;
    }
}
