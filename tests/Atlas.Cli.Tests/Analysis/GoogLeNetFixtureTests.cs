using System.Text.Json;
using Atlas.Cli.Commands;

namespace Atlas.Cli.Tests.Analysis;

/// <summary>
/// The verbs on a real PyTorch-written GoogLeNet checkpoint (../shared/fixtures/googlenet-pytorch): the
/// RGB image path, and activation sparsity equal to what PyTorch measured on the same input.
/// </summary>
public class GoogLeNetFixtureTests
{
    public static string Fixture => Path.GetFullPath(Path.Combine(TestData.RepoRoot, "..", "shared", "fixtures", "googlenet-pytorch"));

    [GoogLeNetFixtureFact]
    public async Task Activations_match_pytorch_sparsity_and_explain_picks_pytorch_top_class()
    {
        var folder = TestData.NewTempFolder("googlenet");
        var weights = Path.Combine(Fixture, "googlenet_fp16.pth");
        var image = Path.Combine(Fixture, "input.png");
        using var reference = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Fixture, "reference.json")));

        var activations = await InProcessCli.RunAsync("activations", "--model", "googlenet", "--weights", weights, "--image", image,
            "--layer", "conv1", "--layer", "inception4a", "--layer", "inception5b", "--out", folder);
        Assert.True(activations.ExitCode == 0, activations.ToString());
        using var written = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, ActivationsCommand.JsonFile)));
        foreach (var layer in written.RootElement.GetProperty("layers").EnumerateArray())
        {
            var expected = reference.RootElement.GetProperty("layers").GetProperty(layer.GetProperty("layer").GetString()!).GetProperty("fraction_zero").GetDouble();
            Assert.Equal(expected, layer.GetProperty("fractionNonPositive").GetDouble(), 1e-4);
        }

        var explain = await InProcessCli.RunAsync("explain", "--model", "googlenet", "--weights", weights, "--image", image, "--layer", "inception5b", "--out", folder);
        Assert.True(explain.ExitCode == 0, explain.ToString());
        using var cam = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, ExplainCommand.JsonFile)));
        Assert.Equal(reference.RootElement.GetProperty("top5")[0].GetInt32(), cam.RootElement.GetProperty("class").GetInt32());
        Assert.Equal(7, cam.RootElement.GetProperty("heatmap").GetArrayLength());

        var gray = InProcessCli.WriteImage(folder, "gray.png", 1, 224, 224, i => i % 224 / 223f);
        using (var bitmap = SkiaSharp.SKBitmap.Decode(gray).Copy(SkiaSharp.SKColorType.Gray8))
        using (var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
            await File.WriteAllBytesAsync(gray, data.ToArray());
        // A grey-encoded file is read as RGB, as torchvision's loader reads ImageNet's grey JPEGs.
        var greyOut = Path.Combine(folder, "grey");
        var greyExplain = await InProcessCli.RunAsync("explain", "--model", "googlenet", "--weights", weights, "--image", gray, "--layer", "inception5b", "--out", greyOut);
        Assert.True(greyExplain.ExitCode == 0, greyExplain.ToString());
        using var greyCam = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(greyOut, "gradcam.json")));
        Assert.Equal(7, greyCam.RootElement.GetProperty("heatmap").GetArrayLength());
    }
}

/// <summary>A fact that is skipped, with the reason shown, when the PyTorch reference fixture is absent.</summary>
public sealed class GoogLeNetFixtureFactAttribute : FactAttribute
{
    public GoogLeNetFixtureFactAttribute()
    {
        if (!File.Exists(Path.Combine(GoogLeNetFixtureTests.Fixture, "googlenet_fp16.pth")))
            Skip = $"PyTorch reference fixture not found at {GoogLeNetFixtureTests.Fixture} (expected ../shared/fixtures/googlenet-pytorch beside the repository)";
    }
}
