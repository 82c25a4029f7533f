namespace Atlas.Core.Imaging;

/// <summary>
/// The largest picture decoded: Pillow's own limit, past which its open raises DecompressionBombError (twice
/// Image.MAX_IMAGE_PIXELS), so a file torchvision's loader refuses is refused here too. Checked against the
/// header before any pixel is allocated: a few bytes claiming 100000×100000 pixels must not take the process
/// down, nor fail a whole data set's pass; such a file is skipped like any other unreadable one.
/// </summary>
public static class PixelLimit
{
    public const long MaxPixels = 178_956_970;

    /// <summary>Throws <see cref="InvalidDataException"/> when a <paramref name="width"/>×<paramref name="height"/> picture is over the limit.</summary>
    public static void Check(long width, long height)
    {
        if (width * height > MaxPixels)
            throw new InvalidDataException($"a {width}×{height} image is over the {MaxPixels:N0} pixels Pillow decodes (a decompression bomb, or a corrupt header)");
    }
}
