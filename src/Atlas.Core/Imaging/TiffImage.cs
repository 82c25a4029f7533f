using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// Decodes TIFF files, which Skia has no codec for and torchvision's ImageFolder lists (.tif, .tiff), with LibTiff.NET.
/// The first page is read, as PIL reads it. 8-bit grey and RGB images, with or without an alpha sample, in strips of
/// interleaved samples (what PIL and most scanners and microscopes write, any compression) are read sample by sample,
/// so they reach the model as PIL's convert("RGB") gives them: alpha dropped, not multiplied in. Everything else
/// (palettes, YCbCr, CMYK, 1 and 16 bits, tiles, separate planes, white-is-zero) goes through LibTiff's RGBA
/// conversion: the picture as a viewer shows it, which may differ from PIL's in rounding. Either way the page is
/// then turned upright as its Orientation tag says, as PIL's TIFF loader does (<see cref="TiffOrientation"/>).
/// </summary>
public static class TiffImage
{
    /// <summary>Whether the stream starts with a TIFF header (little- or big-endian, classic or BigTIFF); the position is restored.</summary>
    public static bool Is(Stream stream)
    {
        Span<byte> head = stackalloc byte[4];
        long at = stream.Position;
        int read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = at;
        return read == 4 && ((head[0] == 'I' && head[1] == 'I' && head[3] == 0 && head[2] is 42 or 43)
            || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] is 42 or 43));
    }

    /// <summary>The first page as an unpremultiplied RGBA bitmap; <see cref="InvalidDataException"/> says why it cannot be read.</summary>
    public static SKBitmap Decode(Stream stream)
    {
        try
        {
            return DecodeFirstPage(stream);
        }
        catch (Exception e) when (e is not (InvalidDataException or IOException or OutOfMemoryException))
        {
            // LibTiff.NET reports most damage through its handler, but some reaches it as an index or cast error.
            throw new InvalidDataException($"corrupt TIFF ({e.GetType().Name}: {e.Message.Split('\n')[0]})", e);
        }
    }

    private static SKBitmap DecodeFirstPage(Stream stream)
    {
        Quiet.Install();
        Quiet.LastError = null;
        using var tiff = Tiff.ClientOpen("TIFF", "r", stream, new TiffStream())
            ?? throw new InvalidDataException($"not a readable TIFF ({Quiet.LastError ?? "bad header"})");
        int width = Field(tiff, TiffTag.IMAGEWIDTH), height = Field(tiff, TiffTag.IMAGELENGTH);
        if (width <= 0 || height <= 0) throw new InvalidDataException("image has no pixels");
        PixelLimit.Check(width, height);
        int orientation = Field(tiff, TiffTag.ORIENTATION, 1);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        try
        {
            if (!(IsPlainEightBit(tiff) ? ReadSamples(tiff, bitmap) : ReadRgba(tiff, bitmap, orientation)))
                throw new InvalidDataException($"decoding failed ({Quiet.LastError ?? "truncated or corrupt data"})");
            return TiffOrientation.Apply(bitmap, orientation);
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    private static bool IsPlainEightBit(Tiff tiff)
    {
        int bits = Field(tiff, TiffTag.BITSPERSAMPLE, 1), samples = Field(tiff, TiffTag.SAMPLESPERPIXEL, 1);
        var photometric = (Photometric)Field(tiff, TiffTag.PHOTOMETRIC, -1);
        var planar = (PlanarConfig)Field(tiff, TiffTag.PLANARCONFIG, (int)PlanarConfig.CONTIG);
        return bits == 8 && planar == PlanarConfig.CONTIG && !tiff.IsTiled()
            && ((photometric == Photometric.MINISBLACK && samples is 1 or 2) || (photometric == Photometric.RGB && samples is 3 or 4));
    }

    private static bool ReadSamples(Tiff tiff, SKBitmap bitmap)
    {
        int width = bitmap.Width, samples = Field(tiff, TiffTag.SAMPLESPERPIXEL, 1);
        var line = new byte[tiff.ScanlineSize()];
        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < bitmap.Height; y++)
        {
            if (!tiff.ReadScanline(line, y)) return false;
            var row = pixels.Slice(y * bitmap.RowBytes, width * 4);
            for (int x = 0; x < width; x++)
            {
                var sample = line.AsSpan(x * samples, samples);
                byte r = sample[0], g = samples >= 3 ? sample[1] : r, b = samples >= 3 ? sample[2] : r;
                row[4 * x] = r;
                row[4 * x + 1] = g;
                row[4 * x + 2] = b;
                row[4 * x + 3] = 255;
            }
        }
        return true;
    }

    private static bool ReadRgba(Tiff tiff, SKBitmap bitmap, int orientation)
    {
        var raster = new int[bitmap.Width * bitmap.Height];
        // Asked for the file's own orientation, LibTiff leaves the rows as stored; TiffOrientation then turns
        // the page for every kind of TIFF alike (LibTiff would flip, but never transpose).
        var asStored = TiffOrientation.Moves(orientation) ? (Orientation)orientation : Orientation.TOPLEFT;
        if (!tiff.ReadRGBAImageOriented(bitmap.Width, bitmap.Height, raster, asStored, stopOnError: true)) return false;
        // LibTiff packs each pixel as A<<24 | B<<16 | G<<8 | R: on a little-endian machine that is R, G, B, A in memory.
        var source = System.Runtime.InteropServices.MemoryMarshal.AsBytes(raster.AsSpan());
        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < bitmap.Height; y++)
        {
            var row = source.Slice(y * bitmap.Width * 4, bitmap.Width * 4);
            if (BitConverter.IsLittleEndian) row.CopyTo(pixels.Slice(y * bitmap.RowBytes));
            else for (int i = 0; i < row.Length; i += 4) for (int c = 0; c < 4; c++) pixels[y * bitmap.RowBytes + i + c] = row[i + 3 - c];
        }
        return true;
    }

    private static int Field(Tiff tiff, TiffTag tag, int fallback = 0) =>
        (tiff.GetField(tag) ?? tiff.GetFieldDefaulted(tag)) is { Length: > 0 } values ? values[0].ToInt() : fallback;

    /// <summary>
    /// LibTiff.NET writes warnings and errors to the console by default, and its handler is one per process. Here
    /// they are kept, per thread (each file is decoded on one), to say why a file failed; warnings (unknown tags, which
    /// are common) are dropped.
    /// </summary>
    private sealed class Quiet : TiffErrorHandler
    {
        [ThreadStatic] public static string? LastError;
        private static int installed;

        public static void Install()
        {
            if (Interlocked.Exchange(ref installed, 1) == 0) Tiff.SetErrorHandler(new Quiet());
        }

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        {
            try
            {
                LastError = args.Length > 0 ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args) : format;
            }
            catch (FormatException)
            {
                LastError = format;
            }
        }

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) =>
            ErrorHandler(tif, method, format, args);

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }
    }
}
