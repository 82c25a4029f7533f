using System.Buffers.Binary;

namespace Atlas.Site.Layout;

/// <summary>An image's pixel size, read from a PNG header, so img tags carry width and height without decoding.</summary>
internal readonly record struct ImageSize(int Width, int Height)
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The size in a PNG's IHDR chunk, or null when the bytes are not a PNG with a sane size.</summary>
    public static ImageSize? FromPng(ReadOnlySpan<byte> png)
    {
        if (png.Length < 24 || !png[..8].SequenceEqual(PngSignature) || !png[12..16].SequenceEqual("IHDR"u8)) return null;
        var width = BinaryPrimitives.ReadUInt32BigEndian(png[16..20]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(png[20..24]);
        return width is > 0 and <= 65535 && height is > 0 and <= 65535 ? new ImageSize((int)width, (int)height) : null;
    }

    /// <summary>The size in a PNG's header, or square for anything else (the atlas writes square pictures).</summary>
    public static ImageSize FromPngOrSquare(ReadOnlySpan<byte> png) => FromPng(png) ?? new ImageSize(1, 1);

    /// <summary>The size to show the image at: its aspect ratio, the longer side <paramref name="box"/> pixels.</summary>
    public ImageSize FitInto(int box) => Width >= Height
        ? new ImageSize(box, Math.Max(1, (int)Math.Round((double)box * Height / Width)))
        : new ImageSize(Math.Max(1, (int)Math.Round((double)box * Width / Height)), box);
}
