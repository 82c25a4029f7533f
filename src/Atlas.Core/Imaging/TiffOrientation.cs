using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// Turns a decoded TIFF page upright as its Orientation tag says (the TIFF and Exif values 1–8), the way
/// Pillow's TIFF loader does when it loads the page (it calls exif_transpose in place), so the model sees
/// what torchvision's ImageFolder gives it. Values 5–8 swap width and height.
/// </summary>
internal static class TiffOrientation
{
    /// <summary>Whether <paramref name="orientation"/> is a value that moves pixels (2–8); 1 and unknown values leave the page as stored.</summary>
    public static bool Moves(int orientation) => orientation is >= 2 and <= 8;

    /// <summary>The upright page, a new bitmap; <paramref name="stored"/> (RGBA, as stored) is disposed.</summary>
    public static SKBitmap Apply(SKBitmap stored, int orientation)
    {
        if (!Moves(orientation)) return stored;
        int width = stored.Width, height = stored.Height;
        bool swaps = orientation >= 5;
        var upright = new SKBitmap(new SKImageInfo(swaps ? height : width, swaps ? width : height, stored.ColorType, stored.AlphaType));
        var from = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(stored.GetPixelSpan());
        var to = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(upright.GetPixelSpan());
        int fromStride = stored.RowBytes / 4, toStride = upright.RowBytes / 4;
        for (int y = 0; y < upright.Height; y++)
        {
            for (int x = 0; x < upright.Width; x++)
            {
                // (sx, sy): where the pixel that ends up at (x, y) is stored.
                var (sx, sy) = orientation switch
                {
                    2 => (width - 1 - x, y),                    // mirrored left to right
                    3 => (width - 1 - x, height - 1 - y),       // turned half-way
                    4 => (x, height - 1 - y),                   // mirrored top to bottom
                    5 => (y, x),                                // transposed
                    6 => (y, height - 1 - x),                   // stored a quarter anticlockwise: turned clockwise
                    7 => (width - 1 - y, height - 1 - x),       // transverse
                    _ => (width - 1 - y, x),                    // 8: stored a quarter clockwise: turned anticlockwise
                };
                to[y * toStride + x] = from[sy * fromStride + sx];
            }
        }
        stored.Dispose();
        return upright;
    }
}
