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
    [InlineData("shrink", 256, 224)]
    [InlineData("shrink-tall", 40, 32)]
    [InlineData("shrink-far", 24, 24)]
    [InlineData("enlarge", 64, 56)]
    [InlineData("photo", 256, 224)] // a JPEG: Skia's libjpeg-turbo decodes it as Pillow's does
    public void Decode_resize_and_centre_crop_equal_pillows_byte_for_byte(string name, int shorter, int crop)
    {
        foreach (var (channels, suffix) in new[] { (3, "rgb"), (1, "grey") })
        {
            var geometry = new ImageGeometry(crop, channels, shorter);
            var bytes = new byte[geometry.PixelsPerImage];
            Assert.Null(ImageFileDecoder.TryDecode(Directory.GetFiles(Fixtures, $"{name}.input.*").Single(), geometry, bytes));
            var expected = Planes(Path.Combine(Fixtures, $"{name}.{suffix}.png"), channels);
            int differing = Enumerable.Range(0, bytes.Length).Count(i => bytes[i] != expected[i]);
            Assert.True(differing == 0, $"{name} ({suffix}): {differing} of {bytes.Length} values differ from Pillow's");
        }
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
