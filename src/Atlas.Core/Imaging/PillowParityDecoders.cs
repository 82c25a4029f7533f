using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// The files that torchvision's Pillow loader reads and Skia has no codec for, TIFF (<see cref="TiffImage"/>) and
/// Netpbm (<see cref="NetpbmImage"/>), and the one that Skia reads otherwise than Pillow, 16-bit grey PNG
/// (<see cref="GreyPng16"/>). Recognized by their first bytes.
/// </summary>
public static class PillowParityDecoders
{
    /// <summary>The decoded picture when the stream holds one of these, else null (the position is kept);
    /// <see cref="InvalidDataException"/> when it does but cannot be read.</summary>
    public static SKBitmap? TryDecode(Stream stream) =>
        TiffImage.Is(stream) ? TiffImage.Decode(stream)
        : NetpbmImage.Is(stream) ? NetpbmImage.Decode(stream)
        : GreyPng16.Is(stream) ? GreyPng16.Decode(stream)
        : null;
}
