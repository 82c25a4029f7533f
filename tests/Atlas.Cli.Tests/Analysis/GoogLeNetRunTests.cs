using System.Text.Json;
using Atlas.Core.Imaging;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests.Analysis;

/// <summary>
/// `atlas run` on the PyTorch-written GoogLeNet checkpoint: every pass of a real batch-norm network,
/// which the demo CNN has none of. Rendering and the dataset pass use folded, channels-last working
/// copies while the analysis reads the checkpoint's own parameters; all of it must still come out. The
/// pools take the scatter backward, the Inception blocks merge their 1×1 convolutions and conv1 is computed as space to depth,
/// as on a GPU by default, so the run covers those paths on the CPU too. Its images go through a pixel cache.
/// </summary>
public class GoogLeNetRunTests
{
    [GoogLeNetFixtureFact]
    public async Task A_googlenet_atlas_runs_every_pass_on_a_real_checkpoint()
    {
        var folder = TestData.NewTempFolder("googlenet-run");
        var random = new Random(4);
        foreach (var kind in new[] { "stripes", "noise" })
        {
            Directory.CreateDirectory(Path.Combine(folder, "images", kind));
            for (int i = 0; i < 6; i++)
            {
                var pixels = new float[3 * 64 * 64];
                for (int p = 0; p < pixels.Length; p++)
                    pixels[p] = kind == "noise" ? random.Next(256) / 255f : ((p % 64) / (4 + i) % 2) * 0.8f + 0.1f;
                await File.WriteAllBytesAsync(Path.Combine(folder, "images", kind, $"{i}.png"), PngEncoder.Encode(pixels, 3, 64, 64));
            }
        }
        var config = Path.Combine(folder, "googlenet.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "name": "googlenet-run",
              "model": { "architecture": "googlenet", "checkpoint": {{JsonSerializer.Serialize(Path.Combine(GoogLeNetFixtureTests.Fixture, "googlenet_fp16.pth"))}}, "inputSize": 64, "maxPoolBackward": "scatter", "branchConvolutions": "merged", "inputConvolution": "spaceToDepth" },
              "dataset": { "kind": "image-folder", "path": "images", "pixelCache": "pixels" },
              "layers": ["conv3", "inception4a", "logits"],
              "maxUnitsPerLayer": 2,
              "featureVis": { "steps": 4, "channelsPerUnit": 2 },
              "examples": { "topK": 3, "batchSize": 4, "imagesPerShard": 6, "heatmaps": "all" },
              "output": { "store": "store", "site": "site" }
            }
            """);

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(8), "run", config, "--verbosity", "debug");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("batch norms folded", outcome.StdErr); // the working copies were made
        Assert.Contains("13 max pools with the scatter backward", outcome.StdErr);
        Assert.Contains("9 Inception blocks with merged 1×1 convolutions", outcome.StdErr);
        Assert.Contains("1 input convolutions as space to depth", outcome.StdErr);
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifestKey = await store.ListAsync("").FirstAsync(AtlasKeys.IsManifestKey);
        var manifest = (await store.GetJsonAsync<AtlasManifest>(manifestKey))!;
        Assert.Equal(["conv3", "inception4a", "logits"], manifest.Layers.Select(l => l.Name));
        Assert.All(manifest.Layers, layer =>
        {
            Assert.Equal(2, layer.Units.Count);
            Assert.All(layer.Units, unit =>
            {
                Assert.Equal(3, unit.TopExamples.Count);
                Assert.NotEmpty(unit.Visualizations);
                Assert.All(unit.Visualizations, v => Assert.True(File.Exists(Path.Combine(folder, "store", v.Key)), $"{v.Key} is missing"));
                // examples.heatmaps "all": every top example has an overlay (the unit's own map, or Grad-CAM for a class).
                Assert.All(unit.TopExamples, e => Assert.True(e.HeatmapKey is { } key && File.Exists(Path.Combine(folder, "store", key)), $"{layer.Name}/{unit.Index}: no heatmap for image {e.ImageIndex}"));
            });
        });
        var (_, _, broken) = SiteCrawler.Crawl(Path.Combine(folder, "site"));
        Assert.Empty(broken);
        // Every pass that read images (examples, reduce, analysis) went through the pixel cache, which kept them.
        Assert.Single(Directory.GetFiles(Path.Combine(folder, "pixels"), "chunk-*.u8", SearchOption.AllDirectories));
    }
}
