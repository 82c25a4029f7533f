using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// The image formats torchvision's ImageFolder lists that Skia has no codec for: TIFF (<see cref="TiffImage"/>) and
/// Netpbm (<see cref="NetpbmImage"/>), recognized by their first bytes.
/// </summary>
public static class SkiaLessFormats
{
    /// <summary>The decoded picture when the stream holds one of these formats, else null (the position is kept);
    /// <see cref="InvalidDataException"/> when it does but cannot be read.</summary>
    public static SKBitmap? TryDecode(Stream stream) =>
        TiffImage.Is(stream) ? TiffImage.Decode(stream)
        : NetpbmImage.Is(stream) ? NetpbmImage.Decode(stream)
        : null;
}
