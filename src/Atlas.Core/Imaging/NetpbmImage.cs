using System.Globalization;
using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// Decodes Netpbm files (.pbm/.pgm/.ppm, binary P4–P6 and plain-text P1–P3), which torchvision's ImageFolder lists
/// and Skia cannot read, as Pillow's reader and convert("RGB") make them: samples of a maxval other than 255 are scaled
/// with Python's round(value / maxval × 255); grey samples above 8 bits are scaled to 16 bits and then clipped at 255,
/// as Pillow's 32-bit grey mode converts; bitmaps read 1 as black.
/// </summary>
public static class NetpbmImage
{
    /// <summary>Whether the stream starts with a Netpbm magic number (P1 to P6); the position is restored.</summary>
    public static bool Is(Stream stream)
    {
        Span<byte> head = stackalloc byte[3];
        long at = stream.Position;
        int read = stream.ReadAtLeast(head, 3, throwOnEndOfStream: false);
        stream.Position = at;
        return read == 3 && head[0] == 'P' && head[1] is >= (byte)'1' and <= (byte)'6' && IsSpace(head[2]);
    }

    /// <summary>The picture as an RGBA bitmap; <see cref="InvalidDataException"/> says why it cannot be read.</summary>
    public static SKBitmap Decode(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var data = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        int at = 3, kind = data[1] - '0';
        bool bitmap = kind is 1 or 4, plain = kind <= 3, colour = kind is 3 or 6;
        int width = Token(data, ref at), height = Token(data, ref at), maxval = bitmap ? 1 : Token(data, ref at);
        if (width <= 0 || height <= 0) throw new InvalidDataException("image has no pixels");
        PixelLimit.Check(width, height);
        if (maxval is <= 0 or >= 65536) throw new InvalidDataException($"maxval {maxval} is not between 1 and 65535");
        int bands = colour ? 3 : 1;
        // Checked before allocating: a header may claim far more pixels than the file holds (a plain-text sample takes a byte at least).
        long needed = kind == 4 ? (long)(width + 7) / 8 * height : (long)width * height * bands * (!plain && maxval > 255 ? 2 : 1);
        if (data.Length - at < needed) throw new InvalidDataException($"truncated: {data.Length - at} bytes of pixels, {needed} needed at least");
        var samples = new byte[width * height * bands];
        if (kind == 4) ReadPackedBits(data[at..], width, height, samples);
        else if (plain) ReadText(data, at, maxval, bitmap, colour, samples);
        else ReadBinary(data[at..], maxval, colour, samples);

        var picture = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = picture.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * picture.RowBytes, width * 4);
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * bands;
                row[4 * x] = samples[i];
                row[4 * x + 1] = samples[colour ? i + 1 : i];
                row[4 * x + 2] = samples[colour ? i + 2 : i];
                row[4 * x + 3] = 255;
            }
        }
        return picture;
    }

    // Pillow's conversion of one sample to the 8 bits of an RGB picture.
    private static byte Scale(int value, int maxval, bool colour)
    {
        if (value > maxval) throw new InvalidDataException($"sample {value} is above maxval {maxval}");
        if (maxval == 255) return (byte)value;
        // Grey above 8 bits becomes Pillow's 32-bit mode I, scaled to 65535, which convert("RGB") clips.
        double top = !colour && maxval > 255 ? 65535 : 255;
        return (byte)Math.Min(255, Math.Round(value / (double)maxval * top, MidpointRounding.ToEven));
    }

    private static void ReadBinary(ReadOnlySpan<byte> data, int maxval, bool colour, byte[] samples)
    {
        int width = maxval < 256 ? 1 : 2;
        if (data.Length < samples.Length * width) throw new InvalidDataException($"truncated: {data.Length} bytes of pixels, {samples.Length * width} needed");
        for (int i = 0; i < samples.Length; i++)
            samples[i] = Scale(width == 1 ? data[i] : data[2 * i] << 8 | data[2 * i + 1], maxval, colour);
    }

    private static void ReadPackedBits(ReadOnlySpan<byte> data, int width, int height, byte[] samples)
    {
        int stride = (width + 7) / 8;
        if (data.Length < stride * height) throw new InvalidDataException($"truncated: {data.Length} bytes of pixels, {stride * height} needed");
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                samples[y * width + x] = (data[y * stride + x / 8] >> (7 - x % 8) & 1) == 1 ? (byte)0 : (byte)255;
    }

    private static void ReadText(ReadOnlySpan<byte> data, int at, int maxval, bool bitmap, bool colour, byte[] samples)
    {
        for (int i = 0; i < samples.Length; i++)
        {
            if (bitmap)
            {
                // Plain bitmaps need no space between their 0s and 1s.
                SkipSpaceAndComments(data, ref at);
                if (at >= data.Length) throw new InvalidDataException($"truncated: {i} of {samples.Length} pixels");
                byte bit = data[at++];
                samples[i] = bit switch { (byte)'0' => 255, (byte)'1' => 0, _ => throw new InvalidDataException($"'{(char)bit}' is not a bitmap pixel") };
            }
            else samples[i] = Scale(Token(data, ref at), maxval, colour);
        }
    }

    // A header or plain-text number: whitespace and # comments before it, and the one whitespace byte after it, are consumed.
    private static int Token(ReadOnlySpan<byte> data, ref int at)
    {
        SkipSpaceAndComments(data, ref at);
        int start = at;
        while (at < data.Length && data[at] is >= (byte)'0' and <= (byte)'9' && at - start <= 10) at++;
        if (at == start) throw new InvalidDataException(at >= data.Length ? "truncated header or pixels" : $"'{(char)data[at]}' where a number should be");
        if (!int.TryParse(data[start..at], NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw new InvalidDataException("a number in the file is too large");
        if (at < data.Length && IsSpace(data[at])) at++;
        return value;
    }

    private static void SkipSpaceAndComments(ReadOnlySpan<byte> data, ref int at)
    {
        while (at < data.Length)
        {
            if (IsSpace(data[at])) at++;
            else if (data[at] == '#') while (at < data.Length && data[at] is not ((byte)'\n' or (byte)'\r')) at++;
            else break;
        }
    }

    private static bool IsSpace(byte b) => b is 0x20 or 0x09 or 0x0a or 0x0b or 0x0c or 0x0d;
}
