using System.Text.Json;
using Atlas.Cli.Commands;
using SkiaSharp;

namespace Atlas.Cli.Tests.Analysis;

public class ActivationsCommandTests
{
    [Fact]
    public async Task Activations_writes_a_grid_per_spatial_layer_and_statistics_for_all()
    {
        var folder = TestData.NewTempFolder("activations");
        var checkpoint = InProcessCli.RandomDemoCheckpoint(folder);
        var image = InProcessCli.WriteGrayImage(folder);
        var output = Path.Combine(folder, "out");
        var outcome = await InProcessCli.RunAsync("activations", "--model", "demo-cnn", "--weights", checkpoint, "--image", image, "--out", output);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());

        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, ActivationsCommand.JsonFile)));
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["conv1", "conv2", "conv3", "logits"], layers.Select(l => l.GetProperty("layer").GetString()));
        Assert.Equal([16, 28, 28], layers[0].GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()));
        foreach (var layer in layers)
        {
            Assert.InRange(layer.GetProperty("fractionNonPositive").GetDouble(), 0, 1);
            Assert.InRange(layer.GetProperty("fractionChannelsActive").GetDouble(), 0, 1);
            Assert.True(double.IsFinite(layer.GetProperty("mean").GetDouble()));
        }
        Assert.Equal(JsonValueKind.Null, layers[3].GetProperty("grid").ValueKind);
        using var grid = SKBitmap.Decode(Path.Combine(output, layers[1].GetProperty("grid").GetString()!));
        Assert.NotNull(grid); // 32 tiles of 14 px ×3 in 6 columns: 6 rows → 2 + 6 × 44
        Assert.Equal((266, 266), (grid.Width, grid.Height));
    }

    [Fact]
    public async Task Activations_refuses_a_file_that_is_not_an_image()
    {
        var folder = TestData.NewTempFolder("activations");
        var checkpoint = InProcessCli.RandomDemoCheckpoint(folder);
        var empty = Path.Combine(folder, "empty.jpg");
        await File.WriteAllBytesAsync(empty, []);
        var text = Path.Combine(folder, "notes.jpg");
        await File.WriteAllTextAsync(text, "not a picture");
        var output = Path.Combine(folder, "out");
        ExplainCommandTests.AssertOneLineError(
            await InProcessCli.RunAsync("activations", "--model", "demo-cnn", "--weights", checkpoint, "--image", empty, "--out", output), "empty.jpg: empty file, or not a regular file");
        ExplainCommandTests.AssertOneLineError(
            await InProcessCli.RunAsync("activations", "--model", "demo-cnn", "--weights", checkpoint, "--image", text, "--out", output), "notes.jpg: not an image");
        Assert.False(Directory.Exists(output));
    }
}
