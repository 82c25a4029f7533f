using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// Reads an image file (PNG, JPEG, GIF, BMP, WebP, TIFF, PPM …) as [0,1] pixels for a model that takes
/// <paramref name="channels"/> channels at height×width. A picture already that size is taken as it is; another one
/// is made that size as an image folder's pictures are by default (its shorter side resized to the size × 256/224, the
/// centre square cropped: torchvision's evaluation transform), never stretched. Its colour is converted as the dataset
/// pass converts it: a grey file is read as RGB for an RGB model (PIL's convert("RGB"), as torchvision's loader does:
/// ImageNet holds grey JPEGs), a colour file as its luma for a grey model. A file that is not an image is an input
/// error naming the file.
/// </summary>
public static class ImageFileReader
{
    public static Raster Read(string path, int channels, int height, int width)
    {
        CheckReadable(path, channels);
        using var decoded = Decode(path);
        if (decoded.Width == width && decoded.Height == height) return ToRaster(decoded, channels);
        if (height != width)
            throw new AtlasInputException($"{path}: a {decoded.Width}×{decoded.Height} image, and a model that takes {width}×{height} ones is only read at that size");
        var geometry = Data.ImageGeometry.For(height, channels);
        var pixels = new float[geometry.PixelsPerImage];
        try
        {
            Data.ImageConformer.Conform(decoded, geometry, pixels);
        }
        catch (InvalidDataException e)
        {
            throw new AtlasInputException($"{path}: {e.Message}", e);
        }
        return new Raster(pixels, channels, height, width);
    }

    /// <summary>
    /// Reads an image file exactly as an image folder's pass makes its pictures at <paramref name="geometry"/> (the same
    /// decoding, resize and crop), so a single-image verb sees the pixels the atlas ranked.
    /// </summary>
    public static Raster ReadAsImageFolder(string path, Data.ImageGeometry geometry)
    {
        CheckReadable(path, geometry.Channels);
        var pixels = new float[geometry.PixelsPerImage];
        if (Data.ImageFileDecoder.TryDecode(path, geometry, pixels) is { } problem) throw new AtlasInputException($"{path}: {problem}");
        return new Raster(pixels, geometry.Channels, geometry.Size, geometry.Size);
    }

    private static void CheckReadable(string path, int channels)
    {
        if (channels is not (1 or 3)) throw new AtlasInputException($"models with {channels} input channels cannot read image files (only 1 or 3)");
        if (Directory.Exists(path)) throw new AtlasInputException($"{path}: a folder, not an image file");
        if (!File.Exists(path)) throw new AtlasInputException($"{path}: image file not found");
    }

    private static SKBitmap Decode(string path)
    {
        try
        {
            using var stream = PictureFile.OpenRead(path);
            return DecodeAny(stream, path);
        }
        catch (InvalidDataException e)
        {
            // The opening, the TIFF and Netpbm readers and the pixel limit say what is wrong; the file is named here.
            throw new AtlasInputException($"{path}: {e.Message}", e);
        }
    }

    private static SKBitmap DecodeAny(Stream stream, string path)
    {
        if (PillowParityDecoders.TryDecode(stream) is { } other) return other;
        using var codec = SKCodec.Create(stream, out var result);
        if (codec is null) throw new AtlasInputException($"{path}: not an image ({DecodeProblem(result)})");
        PixelLimit.Check(codec.Info.Width, codec.Info.Height);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded == SKCodecResult.Success) return bitmap;
        bitmap.Dispose();
        // IncompleteInput is a truncated file: part of the picture would be made up, so the data set pass skips it too.
        throw new AtlasInputException($"{path}: the image could not be decoded ({decoded})");
    }

    private static Raster ToRaster(SKBitmap bitmap, int channels)
    {
        int h = bitmap.Height, w = bitmap.Width, plane = h * w;
        var bytes = bitmap.GetPixelSpan();
        var pixels = new float[channels * plane];
        for (int i = 0; i < plane; i++)
        {
            // Decoded as RGBA, a grey file has R = G = B: RGB models read it as is, grey ones read the luma of any file.
            if (channels == 1) pixels[i] = Data.ImageConformer.Luma(bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2]) / 255f;
            else for (int c = 0; c < 3; c++) pixels[c * plane + i] = bytes[4 * i + c] / 255f;
        }
        return new Raster(pixels, channels, h, w);
    }

    private static string DecodeProblem(SKCodecResult result) => result switch
    {
        SKCodecResult.Unimplemented => "unsupported format",
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "truncated or corrupt data",
        _ => "no image decoder recognises it",
    };
}
