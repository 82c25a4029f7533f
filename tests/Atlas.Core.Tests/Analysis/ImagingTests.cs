using Atlas.Core.Data;
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

    /// <summary>A picture 40 wide and 80 tall: red in its top quarter, green in its middle half, blue in its bottom quarter.</summary>
    private static string WriteTallBands() => WritePng(3, 80, 40, i =>
    {
        int channel = i / (80 * 40), row = i % (80 * 40) / 40;
        return (channel, row) switch { (0, < 20) => 1f, (1, >= 20 and < 60) => 1f, (2, >= 60) => 1f, _ => 0f };
    });

    [Fact]
    public void A_picture_of_another_shape_is_cropped_to_its_centre_as_the_dataset_pass_crops_it_not_stretched()
    {
        // Shorter side 40 → 32 (28 × 256/224), so 80 → 64, and the centre 28 rows of those lie in the green half.
        var image = ImageFileReader.Read(WriteTallBands(), 3, 28, 28);

        foreach (var row in new[] { 0, 14, 27 })
            Assert.Equal((0f, 1f, 0f), (image[0, row, 14], image[1, row, 14], image[2, row, 14]));
    }

    [Fact]
    public void With_a_config_whose_data_set_is_an_image_folder_the_verbs_read_a_picture_as_that_folders_pass_does()
    {
        // Tall, with bands across: red in its 8 columns at the left, green in the middle 24, blue in the 8 at the right.
        var folder = Path.GetDirectoryName(WritePng(3, 80, 40, i =>
        {
            int channel = i / (80 * 40), column = i % 40;
            return (channel, column) switch { (0, < 8) => 1f, (1, >= 8 and < 32) => 1f, (2, >= 32) => 1f, _ => 0f };
        }))!;
        Directory.CreateDirectory(Path.Combine(folder, "images", "bands"));
        File.Move(Path.Combine(folder, "image.png"), Path.Combine(folder, "images", "bands", "tall.png"));
        TorchRuntime.Initialize();
        using (var network = new Atlas.Core.Models.DemoCnn()) Atlas.Core.Tests.Models.CheckpointLoadingTests.Save(network, "pth", Path.Combine(folder, "demo.pth"));
        var config = Path.Combine(folder, "atlas.json");
        File.WriteAllText(config, """
            { "name": "bands", "model": { "architecture": "demo-cnn", "checkpoint": "demo.pth" },
              "dataset": { "kind": "image-folder", "path": "images", "resizeShorterSide": 56 } }
            """);

        using var model = AnalysisModels.Load(config, null, out var imageFolder);
        var (image, pixels) = AnalysisModels.ReadImage(model, Path.Combine(folder, "images", "bands", "tall.png"), imageFolder);
        pixels.Dispose();

        Assert.Equal(new ImageGeometry(28, 1, 56, true), imageFolder);
        using var data = new ImageFolderDataset(Path.Combine(folder, "images"), imageFolder!);
        Assert.Equal(data.Read(0, 1).Pixels, image.Pixels);
        // At 56 wide the centre 28 columns are the source's 10 to 30, all green (at the default 32, its 2.5 to 37.5: red and blue too).
        Assert.All(image.Pixels, p => Assert.Equal(ImageConformer.Luma(0, 255, 0) / 255f, p));
    }

    [Fact]
    public void Not_an_image_and_a_missing_file_are_input_errors_naming_the_file()
    {
        var text = TempFile("notes.png");
        File.WriteAllText(text, "not a picture");
        var error = Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(text, 1, 28, 28)).Message;
        Assert.Contains(text, error);
        Assert.Contains("not an image", error);
        Assert.Contains("not found", Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(text + ".missing", 1, 28, 28)).Message);
    }

    [Fact]
    public async Task An_empty_file_or_a_pipe_named_like_a_picture_is_an_input_error_not_a_wait()
    {
        var empty = TempFile("empty.png");
        File.WriteAllBytes(empty, []);
        Assert.Equal($"{empty}: empty file, or not a regular file (a pipe or device)", Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(empty, 3, 28, 28)).Message);

        var pipe = TempFile("pipe.png");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe])) await mkfifo.WaitForExitAsync();
        var read = Task.Run(() => ImageFileReader.Read(pipe, 3, 28, 28));
        Assert.Contains("not a regular file", (await Assert.ThrowsAsync<AtlasInputException>(() => read.WaitAsync(TimeSpan.FromMinutes(1)))).Message);
    }

    [Fact]
    public void A_truncated_jpeg_is_an_input_error_as_the_data_set_pass_skips_it()
    {
        var photo = File.ReadAllBytes(Path.Combine(Models.RepositoryPaths.Root, "tests", "fixtures", "pil-resize", "photo.input.jpg"));
        var cut = TempFile("cut.jpg");
        File.WriteAllBytes(cut, photo[..(photo.Length / 3)]);
        Assert.Equal($"{cut}: the image could not be decoded (IncompleteInput)", Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(cut, 3, 28, 28)).Message);
        Assert.Equal("decoding failed (IncompleteInput)", Atlas.Core.Data.ImageFileDecoder.TryDecode(cut, new Atlas.Core.Data.ImageGeometry(28, 3, 32, true), new byte[28 * 28 * 3]));
    }

    [Fact]
    public void Colour_is_converted_as_the_dataset_pass_converts_it_luma_for_a_grey_model_rgb_from_a_grey_file()
    {
        var red = WritePng(3, 28, 28, i => i < 784 ? 1f : 0f);
        var asGrey = ImageFileReader.Read(red, 1, 28, 28);
        Assert.Equal(1, asGrey.Channels);
        Assert.Equal(ImageConformer.Luma(255, 0, 0) / 255f, asGrey[0, 5, 5]); // PIL's convert("L") of pure red: 76
        Assert.Equal(76 / 255f, asGrey[0, 5, 5]);

        // A grey-encoded file (PngEncoder writes RGBA, so Skia writes this one), as ImageNet's grey JPEGs are: read as RGB.
        var grey = TempFile("grey.png");
        using (var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(8, 8, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque)))
        {
            bitmap.Erase(new SkiaSharp.SKColor(100, 100, 100));
            using var data = SkiaSharp.SKImage.FromBitmap(bitmap).Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(grey, data.ToArray());
        }
        var asRgb = ImageFileReader.Read(grey, 3, 8, 8);
        Assert.Equal(3, asRgb.Channels);
        Assert.All(new[] { 0, 1, 2 }, c => Assert.Equal(100 / 255f, asRgb[c, 4, 4]));
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
