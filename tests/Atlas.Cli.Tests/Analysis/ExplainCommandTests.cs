using System.Text.Json;
using Atlas.Cli.Commands;
using SkiaSharp;

namespace Atlas.Cli.Tests.Analysis;

public class ExplainCommandTests
{
    private static (string Folder, string Checkpoint, string Image) Setup()
    {
        var folder = TestData.NewTempFolder("explain");
        return (folder, InProcessCli.RandomDemoCheckpoint(folder), InProcessCli.WriteGrayImage(folder));
    }

    [Fact]
    public async Task Explain_writes_gradcam_json_and_an_overlay()
    {
        var (folder, checkpoint, image) = Setup();
        var output = Path.Combine(folder, "out");
        var outcome = await InProcessCli.RunAsync("explain", "--model", "demo-cnn", "--weights", checkpoint, "--image", image,
            "--layer", "conv2", "--class", "3", "--relu", "per-channel", "--out", output);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());

        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, ExplainCommand.JsonFile)));
        var root = json.RootElement;
        Assert.Equal(["model", "layer", "class", "logit", "heatmap"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("demo-cnn", root.GetProperty("model").GetString());
        Assert.Equal("conv2", root.GetProperty("layer").GetString());
        Assert.Equal(3, root.GetProperty("class").GetInt32());
        Assert.True(float.IsFinite(root.GetProperty("logit").GetSingle()));
        var heatmap = root.GetProperty("heatmap").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        Assert.Equal(14, heatmap.Length);
        Assert.All(heatmap, row => Assert.Equal(14, row.Length));
        var values = heatmap.SelectMany(r => r).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.True(values.Max() is 0f or 1f, "the map is divided by its maximum");

        using var overlay = SKBitmap.Decode(Path.Combine(output, ExplainCommand.OverlayFile));
        Assert.Equal((224, 224), (overlay.Width, overlay.Height));
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    [Fact]
    public async Task A_config_file_names_the_model_and_top_picks_a_class()
    {
        var (folder, checkpoint, image) = Setup();
        var config = Path.Combine(folder, "atlas.json");
        await File.WriteAllTextAsync(config, $$"""
            { "name": "t", "model": { "architecture": "demo-cnn", "checkpoint": "{{Path.GetFileName(checkpoint)}}" },
              "dataset": { "kind": "fashion-mnist", "path": "data" } }
            """);
        var output = Path.Combine(folder, "out");
        var outcome = await InProcessCli.RunAsync("explain", "--model", config, "--image", image, "--layer", "conv3", "--out", output);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, ExplainCommand.JsonFile)));
        Assert.InRange(json.RootElement.GetProperty("class").GetInt32(), 0, 9);
        Assert.Equal(7, json.RootElement.GetProperty("heatmap").GetArrayLength());
    }

    [Fact]
    public async Task A_heatmap_of_zeros_is_said_so_and_one_with_evidence_is_not()
    {
        var folder = TestData.NewTempFolder("explain-zero");
        var checkpoint = await TrainedCheckpoint.GetAsync();
        var black = InProcessCli.WriteImage(folder, "black.png", 1, 28, 28, _ => 0f);
        foreach (var relu in new[] { "sum", "per-channel" })
        {
            var output = Path.Combine(folder, relu);
            var outcome = await InProcessCli.RunAsync("explain", "--model", "demo-cnn", "--weights", checkpoint, "--image", black,
                "--layer", "conv3", "--class", "0", "--relu", relu, "--out", output);
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            Assert.Contains(Path.Combine(output, ExplainCommand.OverlayFile), outcome.StdOut);
            using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, ExplainCommand.JsonFile)));
            bool zeros = json.RootElement.GetProperty("heatmap").EnumerateArray().SelectMany(r => r.EnumerateArray()).All(v => v.GetSingle() == 0f);
            // On the trained demo, a black picture gives class 0 no positive evidence at conv3 as a sum, and some per channel.
            Assert.Equal(relu == "sum", zeros);
            Assert.Equal(zeros, outcome.StdErr.Contains("The heatmap is zero everywhere: no position of conv3 raises class 0's logit"));
        }
    }

    [Theory]
    [InlineData("--layer", "conv9", "no layer 'conv9'")]
    [InlineData("--layer", "logits", "no spatial map")]
    [InlineData("--class", "42", "class 42 is out of range")]
    [InlineData("--class", "shoe", "--class: 'shoe'")]
    [InlineData("--relu", "inside", "--relu: 'inside'")]
    public async Task Bad_layer_class_or_mode_is_one_line_and_exit_2(string option, string value, string expected)
    {
        var (folder, checkpoint, image) = Setup();
        var args = new Dictionary<string, string> { ["--layer"] = "conv2", ["--class"] = "top", ["--relu"] = "sum" };
        args[option] = value;
        var output = Path.Combine(folder, "out");
        var outcome = await InProcessCli.RunAsync(["explain", "--model", "demo-cnn", "--weights", checkpoint, "--image", image, "--out", output,
            .. args.SelectMany(a => new[] { a.Key, a.Value })]);
        AssertOneLineError(outcome, expected);
        Assert.False(Directory.Exists(output), "nothing is written");
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_is_named()
    {
        var (folder, checkpoint, _) = Setup();
        var notImage = Path.Combine(folder, "photo.png");
        await File.WriteAllTextAsync(notImage, "this is text");
        var outcome = await InProcessCli.RunAsync("explain", "--model", "demo-cnn", "--weights", checkpoint, "--image", notImage, "--layer", "conv2", "--out", Path.Combine(folder, "out"));
        AssertOneLineError(outcome, "photo.png: not an image");
    }

    [Fact]
    public async Task A_colour_image_for_the_grayscale_demo_is_read_as_its_luma_as_the_dataset_pass_reads_it()
    {
        var (folder, checkpoint, _) = Setup();
        var colour = InProcessCli.WriteImage(folder, "red.png", 3, 28, 28, i => i < 784 ? 1f : 0f);
        var output = Path.Combine(folder, "out");
        var outcome = await InProcessCli.RunAsync("explain", "--model", "demo-cnn", "--weights", checkpoint, "--image", colour, "--layer", "conv2", "--out", output);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(File.Exists(Path.Combine(output, "gradcam.json")), outcome.ToString());
    }

    [Fact]
    public async Task An_architecture_without_weights_or_an_unknown_one_is_refused()
    {
        var (folder, checkpoint, image) = Setup();
        AssertOneLineError(await InProcessCli.RunAsync("explain", "--model", "demo-cnn", "--image", image, "--layer", "conv2", "--out", folder), "--weights");
        AssertOneLineError(await InProcessCli.RunAsync("explain", "--model", "no-such-net", "--weights", checkpoint, "--image", image, "--layer", "conv2", "--out", folder), "no-such-net");
    }

    internal static void AssertOneLineError(InProcessCli.Outcome outcome, string expected)
    {
        Assert.True(outcome.ExitCode == ExitCodes.BadInput, outcome.ToString());
        Assert.True(outcome.ErrorLines.Count == 1, outcome.ToString());
        Assert.Contains(expected, outcome.ErrorLines[0]);
        Assert.DoesNotContain("   at ", outcome.StdErr);
    }
}
