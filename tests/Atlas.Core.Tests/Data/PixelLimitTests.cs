using System.Buffers.Binary;
using System.IO.Compression;
using Atlas.Core.Data;
using Atlas.Core.Imaging;
using Atlas.Core.Tests.Models;

namespace Atlas.Core.Tests.Data;

/// <summary>
/// A few hundred bytes whose PNG header claims 100000×100000 pixels: skipped by the data set pass with the
/// reason, and an input error for the one-image verbs, never an allocation that fails the process or a job.
/// </summary>
public class PixelLimitTests
{
    /// <summary>A valid PNG signature and IHDR for <paramref name="width"/>×<paramref name="height"/> (8-bit RGB, or another
    /// depth and colour type), with one short IDAT.</summary>
    private static byte[] PngClaiming(int width, int height, byte bits = 8, byte colourType = 2)
    {
        static byte[] Chunk(string kind, byte[] data)
        {
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
            System.Text.Encoding.ASCII.GetBytes(kind).CopyTo(chunk, 4);
            data.CopyTo(chunk, 8);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
            return chunk;
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bits;
        header[9] = colourType;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(new byte[64]);
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10];
        return [.. signature, .. Chunk("IHDR", header), .. Chunk("IDAT", compressed.ToArray()), .. Chunk("IEND", [])];
    }

    /// <summary>PNG's chunk checksum (CRC-32, polynomial 0xEDB88320), which libpng verifies.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    [Theory]
    [InlineData(8, 2)] // RGB, through Skia
    [InlineData(16, 0)] // 16-bit grey, read here as Pillow reads it
    public void The_data_set_pass_skips_a_picture_over_pillows_limit_saying_why(byte bits, byte colourType)
    {
        using var folder = new TempFolder();
        var path = folder.File("bomb.png");
        File.WriteAllBytes(path, PngClaiming(100_000, 100_000, bits, colourType));
        var geometry = new ImageGeometry(32, 3, 40, true);
        var problem = ImageFileDecoder.TryDecode(path, geometry, new byte[geometry.PixelsPerImage]);
        Assert.Equal($"a 100000×100000 image is over the {PixelLimit.MaxPixels:N0} pixels Pillow decodes (a decompression bomb, or a corrupt header)", problem);
    }

    [Fact]
    public void The_one_image_verbs_refuse_it_as_bad_input_naming_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("bomb.png");
        File.WriteAllBytes(path, PngClaiming(100_000, 100_000));
        var error = Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(path, 3, 32, 32));
        Assert.StartsWith($"{path}: a 100000×100000 image is over the", error.Message);
    }

    [Fact]
    public void The_limit_is_pillows_to_the_pixel()
    {
        PixelLimit.Check(13_377, 13_377);   // 178,944,129 pixels: Pillow opens it (with a warning)
        Assert.Throws<InvalidDataException>(() => PixelLimit.Check(13_377, 13_378));   // 178,957,506: DecompressionBombError
    }
}
