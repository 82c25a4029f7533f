using Atlas.Core.Analysis;
using Atlas.Core.Imaging;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Analysis;

public class ImagingTests
{
    private static string TempFile(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "atlas-core-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    private static string WritePng(int channels, int height, int width, Func<int, float> pixel)
    {
        var path = TempFile("image.png");
        File.WriteAllBytes(path, PngEncoder.Encode(Enumerable.Range(0, channels * height * width).Select(pixel).ToArray(), channels, height, width));
        return path;
    }

    [Fact]
    public void Grayscale_png_reads_back_at_the_model_size_without_resampling()
    {
        var path = WritePng(1, 28, 28, i => i % 28 / 27f);
        var image = ImageFileReader.Read(path, 1, 28, 28);
        Assert.Equal((1, 28, 28), (image.Channels, image.Height, image.Width));
        Assert.Equal(0f, image[0, 3, 0]);
        Assert.Equal(1f, image[0, 3, 27]);
    }

    [Fact]
    public void Other_sizes_are_resized_and_rgb_keeps_its_channels()
    {
        var path = WritePng(3, 56, 40, i => i < 56 * 40 ? 1f : 0f); // pure red
        var image = ImageFileReader.Read(path, 3, 28, 28);
        Assert.Equal((3, 28, 28), (image.Channels, image.Height, image.Width));
        Assert.Equal(1f, image[0, 14, 14], 1e-2);
        Assert.Equal(0f, image[1, 14, 14], 1e-2);
    }

    [Fact]
    public void Not_an_image_and_wrong_channel_counts_are_input_errors_naming_the_file()
    {
        var text = TempFile("notes.png");
        File.WriteAllText(text, "not a picture");
        Assert.Contains("not an image", Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(text, 1, 28, 28)).Message);
        var colour = WritePng(3, 28, 28, i => i < 784 ? 1f : 0f);
        var error = Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(colour, 1, 28, 28)).Message;
        Assert.Contains(colour, error);
        Assert.Contains("colour image", error);
        var gray = WritePng(1, 28, 28, _ => 0.5f);
        // PngEncoder writes RGBA; a grayscale-encoded file is what an RGB model must refuse, so write one with Skia.
        using (var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(8, 8, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque)))
        using (var data = SkiaSharp.SKImage.FromBitmap(bitmap).Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(gray, data.ToArray());
        Assert.Contains("grayscale image", Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(gray, 3, 8, 8)).Message);
        Assert.Contains("not found", Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(text + ".missing", 1, 28, 28)).Message);
    }

    [Fact]
    public void Overlay_is_enlarged_to_the_minimum_side_and_hot_where_the_map_is()
    {
        var image = Raster.Blank(1, 28, 28, 0f);
        float[][] heatmap = [[0, 0], [0, 1]];
        var overlay = HeatmapImages.Overlay(image, heatmap, minSide: 100);
        Assert.Equal((3, 112, 112), (overlay.Channels, overlay.Height, overlay.Width));
        Assert.True(overlay[0, 111, 111] > overlay[2, 111, 111], "bottom right is red");
        Assert.True(overlay[2, 0, 0] > overlay[0, 0, 0], "top left is blue");
    }

    [Fact]
    public void Filter_grid_shows_zero_as_mid_gray_and_keeps_rgb()
    {
        TorchRuntime.Initialize();
        using var filters = zeros(4, 3, 3, 3);
        filters[0, 0, 1, 1] = tensor(2f);
        var grid = FilterImages.Grid(filters);
        Assert.Equal(3, grid.Channels);
        // 4 tiles of 3×3 enlarged ×11 (33 px) in a 2×2 grid with 2 px gaps.
        Assert.Equal((72, 72), (grid.Height, grid.Width));
        Assert.Equal(1f, grid[0, 2 + 11 + 5, 2 + 11 + 5]);
        Assert.Equal(0.5f, grid[1, 2 + 11 + 5, 2 + 11 + 5]);
        Assert.Equal(0.5f, grid[0, 2, 2 + 35]);
    }
}
