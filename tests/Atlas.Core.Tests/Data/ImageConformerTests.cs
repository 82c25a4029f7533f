using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Tests.Models;
using SkiaSharp;

namespace Atlas.Core.Tests.Data;

/// <summary>
/// Images reach the model as torchvision's evaluation transforms make them from PIL images: checked byte for
/// byte against Pillow's own output (tests/fixtures/pil-resize, written by make_fixtures.py there), for PNGs
/// and for a JPEG small enough to be decoded at full size.
/// </summary>
public class ImageConformerTests
{
    private static string Fixtures => Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "pil-resize");

    [Theory]
    [InlineData("imagenet-ratio", 256, 224)]
    [InlineData("shrink-tall", 40, 32)]
    [InlineData("shrink-far", 24, 24)]
    [InlineData("enlarge", 64, 56)]
    [InlineData("photo", 256, 224)] // a JPEG: Skia's libjpeg-turbo decodes it as Pillow's does
    [InlineData("photo-large", 64, 56, false)] // a JPEG over twice the target, decoded whole (dataset.reducedScaleDecode: false)
    [InlineData("grey-photo", 48, 40)] // a greyscale JPEG
    [InlineData("cmyk-photo", 40, 32)] // a CMYK JPEG, converted to RGB as Pillow converts it
    [InlineData("png-16bit-rgb", 40, 32)] // 16-bit colour: each sample's high byte, as Pillow reads it
    [InlineData("png-16bit-grey", 48, 40)] // 16-bit grey: Pillow's mode I, the values kept and clipped at 255 by convert("RGB")
    [InlineData("png-16bit-grey-interlaced", 32, 24)] // the same, Adam7-interlaced, each of the five row filters in use
    [InlineData("translucent", 48, 40)] // RGBA: alpha dropped, as PIL's convert("RGB") drops it
    [InlineData("palette", 48, 40)] // a palette PNG with a transparent entry
    [InlineData("tiff-lzw", 48, 40)] // TIFFs (LibTiff.NET): RGB, LZW-compressed
    [InlineData("tiff-grey", 48, 40)] // greyscale, deflate
    [InlineData("tiff-alpha", 40, 40)] // RGBA with unassociated alpha: dropped, not multiplied in, as PIL does
    [InlineData("tiff-palette", 48, 40)] // a palette, through LibTiff's RGBA conversion
    [InlineData("tiff-palette-rotated", 48, 40)] // Orientation tags, which Pillow's TIFF loader applies: turned half-way,
    [InlineData("tiff-orientation-2", 48, 40)] // mirrored,
    [InlineData("tiff-orientation-4", 48, 40)] // flipped,
    [InlineData("tiff-orientation-5", 48, 40)] // transposed (a palette: LibTiff's RGBA conversion, which transposes nothing itself),
    [InlineData("tiff-orientation-6", 48, 40)] // a quarter clockwise,
    [InlineData("tiff-orientation-7", 32, 24)] // transverse,
    [InlineData("tiff-orientation-8", 40, 32)] // a quarter anticlockwise
    [InlineData("photo-exif-6", 48, 40)] // a JPEG's Exif Orientation, which Pillow leaves alone
    [InlineData("bmp", 48, 40)] // BMP: 24-bit,
    [InlineData("bmp-palette", 48, 40)] // 8-bit palette,
    [InlineData("bmp-grey", 48, 40)] // 8-bit grey,
    [InlineData("bmp-alpha", 40, 40)] // 32-bit with alpha
    [InlineData("webp", 48, 40)] // WebP: lossy,
    [InlineData("webp-lossless", 48, 40)] // lossless,
    [InlineData("webp-alpha", 40, 40)] // lossy with alpha
    [InlineData("ppm", 48, 40)] // Netpbm: binary RGB
    [InlineData("pgm-16bit", 48, 40)] // binary grey, maxval 65535: kept, then clipped at 255 as Pillow converts
    [InlineData("pbm", 32, 24)] // a packed bitmap, 1 is black
    [InlineData("ppm-plain", 32, 24)] // plain text, maxval 10, with comments: scaled with Python's rounding
    public void Decode_resize_and_centre_crop_equal_pillows_byte_for_byte(string name, int shorter, int crop, bool reducedScaleDecode = true)
    {
        foreach (var (channels, suffix) in new[] { (3, "rgb"), (1, "grey") })
        {
            var geometry = new ImageGeometry(crop, channels, shorter, reducedScaleDecode);
            var bytes = new byte[geometry.PixelsPerImage];
            Assert.Null(ImageFileDecoder.TryDecode(Directory.GetFiles(Fixtures, $"{name}.input.*").Single(), geometry, bytes));
            var expected = Planes(Path.Combine(Fixtures, $"{name}.{suffix}.png"), channels);
            int differing = Enumerable.Range(0, bytes.Length).Count(i => bytes[i] != expected[i]);
            Assert.True(differing == 0, $"{name} ({suffix}): {differing} of {bytes.Length} values differ from Pillow's");
        }
    }

    [Fact]
    public void A_large_jpeg_decoded_at_a_reduced_scale_differs_from_pillows_only_in_resampling_detail()
    {
        var geometry = new ImageGeometry(56, 3, 64);
        var bytes = new byte[geometry.PixelsPerImage];
        Assert.Null(ImageFileDecoder.TryDecode(Path.Combine(Fixtures, "photo-large.input.jpg"), geometry, bytes));
        var expected = Planes(Path.Combine(Fixtures, "photo-large.rgb.png"), 3);
        var differences = bytes.Select((b, i) => Math.Abs(b - expected[i])).ToArray();
        // Decoded at 1/4 (160×120), so not Pillow's bytes, but the same picture.
        Assert.True(differences.Max() > 0, "a reduced-scale decode was expected to differ somewhere");
        Assert.True(differences.Average() < 3, $"mean difference {differences.Average():F2} levels (max {differences.Max()}) is more than resampling detail");
    }

    [Fact]
    public void The_config_switch_decodes_large_jpegs_whole_and_is_refused_for_other_kinds()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("images/c"));
        File.Copy(Path.Combine(Fixtures, "photo-large.input.jpg"), folder.File("images/c/photo.jpg"));
        var config = folder.File("atlas.json");
        File.WriteAllText(config, """
            { "name": "whole", "model": { "architecture": "resnet18", "checkpoint": "x.pth" },
              "dataset": { "kind": "image-folder", "path": "images", "imageSize": 56, "resizeShorterSide": 64, "reducedScaleDecode": false } }
            """);
        using (var data = (IByteImageDataset)DatasetOpener.Open(AtlasConfigLoader.Load(config).Dataset))
        {
            var bytes = new byte[data.Channels * data.Height * data.Width];
            data.ReadBytes(0, 1, bytes);
            Assert.Equal(Planes(Path.Combine(Fixtures, "photo-large.rgb.png"), 3), bytes);
        }

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"image-folder\"", "\"idx\""));
        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(config));
        Assert.Equal($"{config}: dataset.reducedScaleDecode: only image-folder data sets are decoded (idx images are read as bytes already)", error.Message);
    }

    [Fact]
    public void The_float_pixels_are_the_bytes_divided_by_255()
    {
        var geometry = new ImageGeometry(32, 3, 40);
        var path = Path.Combine(Fixtures, "shrink-tall.input.png");
        var bytes = new byte[geometry.PixelsPerImage];
        var floats = new float[geometry.PixelsPerImage];
        Assert.Null(ImageFileDecoder.TryDecode(path, geometry, bytes));
        Assert.Null(ImageFileDecoder.TryDecode(path, geometry, floats));
        Assert.Equal(bytes.Select(b => b / 255f), floats);
        Assert.Contains(bytes, b => b is > 0 and < 255);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(1000)]
    public void Bytes_become_floats_exactly_as_a_scalar_division(int length)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 37 % 256)).ToArray();
        var floats = new float[length];
        PixelBytes.ToFloats(bytes, floats);
        Assert.Equal(bytes.Select(b => b / 255f), floats);
    }

    /// <summary>A reference PNG's pixels, planar like the model's (R plane, G plane, B plane; or the one grey plane).</summary>
    private static byte[] Planes(string path, int channels)
    {
        using var bitmap = SKBitmap.Decode(path).Copy(SKColorType.Rgba8888);
        var rgba = bitmap.GetPixelSpan();
        int plane = bitmap.Width * bitmap.Height;
        var planes = new byte[channels * plane];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < channels; c++)
                planes[c * plane + p] = rgba[4 * p + c];
        return planes;
    }
}
