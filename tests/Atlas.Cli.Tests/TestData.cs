using Atlas.Core.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Cli.Tests;

/// <summary>Where tests find the repository and the real demo data (fetched once per machine into .tools/test-data).</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string FashionMnistFolder()
    {
        var folder = Path.Combine(RepoRoot, ".tools", "test-data", "fashion-mnist");
        FashionMnist.Ensure(folder, NullLogger.Instance);
        return folder;
    }

    /// <summary>A file of tests/fixtures/torchscript (written by PyTorch; make_fixtures.py there).</summary>
    public static string TorchScriptFixture(string name) => Path.Combine(RepoRoot, "tests", "fixtures", "torchscript", name);

    public static string NewTempFolder(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "atlas-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>An image folder of two classes, five 40-px colour PNGs each (reddish and bluish noise), under <paramref name="folder"/>/images.</summary>
    public static async Task WriteColourImagesAsync(string folder)
    {
        var random = new Random(11);
        foreach (var (kind, hue) in new[] { ("red", new[] { 0.8f, 0.2f, 0.2f }), ("blue", new[] { 0.2f, 0.2f, 0.8f }) })
        {
            Directory.CreateDirectory(Path.Combine(folder, "images", kind));
            for (int i = 0; i < 5; i++)
            {
                var pixels = Enumerable.Range(0, 3 * 40 * 40).Select(p => Math.Clamp(hue[p / 1600] + (random.NextSingle() - 0.5f) * 0.4f, 0f, 1f)).ToArray();
                await File.WriteAllBytesAsync(Path.Combine(folder, "images", kind, $"{i}.png"), Atlas.Core.Imaging.PngEncoder.Encode(pixels, 3, 40, 40));
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atlas.sln"))) return dir.FullName;
        throw new InvalidOperationException("Atlas.sln not found above " + AppContext.BaseDirectory);
    }
}
