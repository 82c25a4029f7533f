using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// 16-bit greyscale PNGs as Pillow reads them: mode I, each sample's value kept as it is, which convert("RGB")
/// then clips at 255. Skia scales the samples to 8 bits instead (and decodes such a file to no wider layout), so a
/// dark picture (values up to a few hundred, as scientific cameras write) would be near black here where
/// torchvision's loader sees it bright. The format is simple enough to read here: chunks, zlib, the five row
/// filters and Adam7 interlacing.
/// </summary>
public static class GreyPng16
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Whether the stream starts with a PNG whose header says 16-bit grey without alpha; the position is restored.</summary>
    public static bool Is(Stream stream)
    {
        Span<byte> head = stackalloc byte[26];
        long at = stream.Position;
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = at;
        // Signature, IHDR's length and type, width, height, then bit depth 16 and colour type 0.
        return read == head.Length && head[..8].SequenceEqual(Signature) && head[12..16].SequenceEqual("IHDR"u8) && head[24] == 16 && head[25] == 0;
    }

    /// <summary>The picture as an RGBA bitmap of clipped samples; <see cref="InvalidDataException"/> says why it cannot be read.</summary>
    public static SKBitmap Decode(Stream stream)
    {
        var (width, height, interlaced, compressed) = ReadChunks(stream);
        var samples = new ushort[(long)width * height];
        using (var inflater = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            if (!interlaced) ReadPass(inflater, samples, width, height, 0, 0, 1, 1, width);
            else
                foreach (var (x0, y0, dx, dy) in Adam7)
                    ReadPass(inflater, samples, (width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy, x0, y0, dx, dy, width);
        }
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0; i < samples.Length; i++)
        {
            var grey = (byte)Math.Min(samples[i], (ushort)255);
            pixels[4 * i] = pixels[4 * i + 1] = pixels[4 * i + 2] = grey;
            pixels[4 * i + 3] = 255;
        }
        return bitmap;
    }

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>The header's size and interlacing, and the IDAT chunks' bytes joined.</summary>
    private static (int Width, int Height, bool Interlaced, MemoryStream Compressed) ReadChunks(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        reader.ReadBytes(8);
        int width = 0, height = 0;
        bool interlaced = false;
        var compressed = new MemoryStream();
        try
        {
            while (true)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(reader.ReadBytes(4));
                var type = System.Text.Encoding.ASCII.GetString(reader.ReadBytes(4));
                if (length < 0) throw new InvalidDataException($"PNG chunk {type} claims a negative length");
                if (type == "IEND") break;
                var data = reader.ReadBytes(length);
                if (data.Length < length) throw new EndOfStreamException();
                reader.ReadBytes(4); // the CRC
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
                    if (width <= 0 || height <= 0) throw new InvalidDataException("image has no pixels");
                    PixelLimit.Check(width, height);
                    interlaced = data[12] == 1;
                }
                else if (type == "IDAT") compressed.Write(data);
            }
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("truncated PNG: it ends before its IEND chunk");
        }
        compressed.Position = 0;
        return (width, height, interlaced, compressed);
    }

    /// <summary>One pass (the whole picture when not interlaced): rows of a filter byte and big-endian samples.</summary>
    private static void ReadPass(Stream inflater, ushort[] samples, int passWidth, int passHeight, int x0, int y0, int dx, int dy, int width)
    {
        if (passWidth <= 0 || passHeight <= 0) return;
        const int bytesPerPixel = 2;
        int stride = passWidth * bytesPerPixel;
        var previous = new byte[stride];
        var row = new byte[stride];
        var filter = new byte[1];
        for (int y = 0; y < passHeight; y++)
        {
            try
            {
                inflater.ReadExactly(filter);
                inflater.ReadExactly(row);
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
            {
                throw new InvalidDataException("truncated or corrupt PNG pixel data", e);
            }
            Unfilter(filter[0], row, previous, bytesPerPixel);
            for (int x = 0; x < passWidth; x++)
                samples[(long)(y0 + y * dy) * width + x0 + x * dx] = BinaryPrimitives.ReadUInt16BigEndian(row.AsSpan(x * bytesPerPixel));
            (previous, row) = (row, previous);
        }
    }

    private static void Unfilter(byte filter, byte[] row, byte[] previous, int bytesPerPixel)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0, up = previous[i], upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
            row[i] += filter switch
            {
                0 => 0,
                1 => (byte)left,
                2 => (byte)up,
                3 => (byte)((left + up) / 2),
                4 => (byte)Paeth(left, up, upLeft),
                _ => throw new InvalidDataException($"PNG row filter {filter} is not one of 0 to 4"),
            };
        }
    }

    private static int Paeth(int left, int up, int upLeft)
    {
        int estimate = left + up - upLeft, toLeft = Math.Abs(estimate - left), toUp = Math.Abs(estimate - up), toUpLeft = Math.Abs(estimate - upLeft);
        return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
    }
}
