using SkiaSharp;

namespace Atlas.Core.Imaging;

/// <summary>
/// Reads an image file (PNG, JPEG, GIF, BMP, WebP, TIFF, PPM …) as [0,1] pixels for a model that takes
/// <paramref name="channels"/> channels at height×width. The picture is resized only when it is not
/// already that size. Its colour is converted as the dataset pass converts it: a grey file is read as RGB
/// for an RGB model (PIL's convert("RGB"), as torchvision's loader does: ImageNet holds grey JPEGs), a colour
/// file as its luma for a grey model. A file that is not an image is an input error naming the file.
/// </summary>
public static class ImageFileReader
{
    public static Raster Read(string path, int channels, int height, int width)
    {
        if (channels is not (1 or 3)) throw new AtlasInputException($"models with {channels} input channels cannot read image files (only 1 or 3)");
        if (Directory.Exists(path)) throw new AtlasInputException($"{path}: a folder, not an image file");
        if (!File.Exists(path)) throw new AtlasInputException($"{path}: image file not found");
        using var decoded = Decode(path);

        var sized = decoded;
        if (decoded.Width != width || decoded.Height != height)
            sized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
                ?? throw new AtlasInputException($"{path}: the image could not be resized to {width}×{height}");
        try
        {
            return ToRaster(sized, channels);
        }
        finally
        {
            if (!ReferenceEquals(sized, decoded)) sized.Dispose();
        }
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
