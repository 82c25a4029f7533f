using System.Text.Json;
using Atlas.Core.Imaging;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests;

/// <summary>An image folder with files that do not decode: the atlas is made without them, and the run says so.</summary>
public class UnreadableImagesTests
{
    [Fact]
    public async Task Images_that_cannot_be_read_are_left_out_of_the_examples_named_in_the_log_the_manifest_and_the_model_page()
    {
        var folder = TestData.NewTempFolder("unreadable");
        var random = new Random(5);
        foreach (var kind in new[] { "dark", "light" })
        {
            Directory.CreateDirectory(Path.Combine(folder, "images", kind));
            for (int i = 0; i < 4; i++)
            {
                var pixels = Enumerable.Range(0, 28 * 28).Select(_ => (kind == "dark" ? 0f : 0.6f) + random.Next(100) / 400f).ToArray();
                await File.WriteAllBytesAsync(Path.Combine(folder, "images", kind, $"{i}.png"), PngEncoder.Encode(pixels, 1, 28, 28));
            }
        }
        // A name with terminal escapes (a red colour, a window title), as a user's folder may hold.
        var broken = Path.Combine(folder, "images", "light", "broken\u001b[31m\u001b]0;title\u0007.png");
        await File.WriteAllBytesAsync(broken, Enumerable.Range(0, 300).Select(i => (byte)(i * 31)).ToArray());
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "name": "unreadable",
              "model": { "architecture": "demo-cnn", "checkpoint": {{JsonSerializer.Serialize(await TrainedCheckpoint.GetAsync())}} },
              "dataset": { "kind": "image-folder", "path": "images" },
              "layers": ["conv1"],
              "maxUnitsPerLayer": 2,
              "featureVis": { "steps": 2, "channelsPerUnit": 2 },
              "examples": { "topK": 9, "imagesPerShard": 9 },
              "output": { "store": "store", "site": "site" }
            }
            """);

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", config);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        // Named relative to dataset.path, as a user looks for it.
        var named = Path.Combine("light", Path.GetFileName(broken));
        Assert.Contains($"Dataset images 0-9: 1 of 9 could not be read and are left out of the examples: {named.Replace("\u001b", "\\u001b").Replace("\u0007", "\\u0007")} (", outcome.StdErr);
        Assert.DoesNotContain('\u001b', outcome.StdErr); // written escaped, never reaching the terminal as escapes
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifest = (await store.GetJsonAsync<AtlasManifest>(await store.ListAsync("").FirstAsync(AtlasKeys.IsManifestKey)))!;
        Assert.Equal(("", 9), (manifest.Dataset.Split, manifest.Dataset.Count)); // an image folder has no split to name
        const int brokenIndex = 8; // files go in ordinal path order: dark/0-3.png, light/0-3.png, then light/broken.png
        Assert.All(manifest.Layers.Single().Units, unit =>
        {
            Assert.Equal(8, unit.TopExamples.Count);
            Assert.DoesNotContain(unit.TopExamples, e => e.ImageIndex == brokenIndex);
        });
        // The manifest keeps the count and the file, and the model page shows them beside the data set.
        var unreadable = manifest.Dataset.Unreadable!;
        Assert.Equal(1, unreadable.Count);
        var file = Assert.Single(unreadable.First);
        Assert.Equal((brokenIndex, named), (file.Index, file.Path));
        var modelPage = Directory.EnumerateFiles(Path.Combine(folder, "site"), "index.html", SearchOption.AllDirectories)
            .Select(File.ReadAllText).Single(page => page.Contains("<dt>Unreadable images</dt>"));
        Assert.Contains("<dd>1 could not be read and are left out of the examples and counts", modelPage);
        Assert.Contains("(image 8): ", modelPage);
        Assert.Contains("(8 images, of 9 files: 1 unreadable, 2 classes)", modelPage);
        // Every example names its file relative to dataset.path, and the unit page shows the name with the path as its tooltip.
        var example = manifest.Layers.Single().Units[0].TopExamples[0];
        Assert.Matches(@"^(dark|light)/[0-3]\.png$", example.File);
        var unitPage = Directory.EnumerateFiles(Path.Combine(folder, "site"), "0.html", SearchOption.AllDirectories).Select(File.ReadAllText).Single();
        Assert.Contains($"<small class=\"file\" title=\"{example.File}\">{Path.GetFileName(example.File)}</small>", unitPage);
    }
}
