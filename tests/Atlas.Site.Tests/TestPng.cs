using System.Buffers.Binary;
using System.IO.Compression;

namespace Atlas.Site.Tests;

/// <summary>Small, valid PNG files for the test store, without an imaging library.</summary>
internal static class TestPng
{
    /// <summary>A 1×1 RGBA PNG.</summary>
    public static readonly byte[] OnePixel =
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
        0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x64, 0x60, 0xF8, 0x5F,
        0x0F, 0x00, 0x02, 0x87, 0x01, 0x80, 0xEB, 0x47, 0xBA, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
        0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    /// <summary>An 8-bit grayscale gradient PNG of the given size.</summary>
    public static byte[] Gray(int width, int height)
    {
        var raw = new byte[height * (width + 1)];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
            raw[y * (width + 1) + 1 + x] = (byte)((x + y) * 255 / Math.Max(1, width + height - 2));

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; color type 0 (gray), compression, filter and interlace 0

        using var png = new MemoryStream();
        png.Write(OnePixel.AsSpan(0, 8)); // the signature
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A semi-transparent orange RGBA PNG, strongest at the centre: what an activation heatmap overlay looks like.</summary>
    public static byte[] Heat(int width, int height)
    {
        var raw = new byte[height * (width * 4 + 1)];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var d = Math.Abs(x - width / 2) + Math.Abs(y - height / 2);
            var at = y * (width * 4 + 1) + 1 + x * 4;
            raw[at] = 255;
            raw[at + 1] = (byte)(80 + 20 * d);
            raw[at + 2] = 0;
            raw[at + 3] = (byte)Math.Max(0, 230 - 50 * d);
        }
        return Encode(width, height, colorType: 6, raw);
    }

    private static byte[] Encode(int width, int height, byte colorType, byte[] raw)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = colorType;
        using var png = new MemoryStream();
        png.Write(OnePixel.AsSpan(0, 8));
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32([.. typeBytes, .. data]));
        png.Write(number);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
