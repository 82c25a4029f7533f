using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests;

/// <summary>
/// Each picture's contrast is measured as it is rendered, and the site and the run's last lines flag the active units
/// whose main picture stayed at its starting noise: all of them after one optimisation step, none once the pictures are drawn.
/// </summary>
public class FlatPictureRunTests
{
    private static async Task<(AtlasManifest Manifest, string Overview, string[] UnitPages, string Log)> RunAsync(int steps)
    {
        var folder = TestData.NewTempFolder($"flat-{steps}");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "name": "flat",
              "model": { "architecture": "demo-cnn", "checkpoint": {{JsonSerializer.Serialize(await TrainedCheckpoint.GetAsync())}} },
              "dataset": { "kind": "fashion-mnist", "path": {{JsonSerializer.Serialize(TestData.FashionMnistFolder())}}, "limit": 500 },
              "layers": ["conv1"],
              "maxUnitsPerLayer": 4,
              "featureVis": { "steps": {{steps}}, "channelsPerUnit": 4, "negative": false, "neuron": false, "diversity": false },
              "examples": { "topK": 4 },
              "output": { "store": "store", "site": "site" }
            }
            """);
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "run", config);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());

        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var manifest = (await store.GetJsonAsync<AtlasManifest>(await store.ListAsync("").FirstAsync(AtlasKeys.IsManifestKey)))!;
        var site = Path.Combine(folder, "site", "flat", manifest.Version);
        var units = manifest.Layers.Single().Units.Select(u => File.ReadAllText(Path.Combine(site, "conv1", $"{u.Index}.html"))).ToArray();
        return (manifest, File.ReadAllText(Path.Combine(site, "index.html")), units, outcome.StdErr);
    }

    private static string Contrasts(AtlasManifest manifest) =>
        string.Join(", ", manifest.Layers.Single().Units.Select(u => u.Visualizations.Single().Contrast?.ToString("0.###", CultureInfo.InvariantCulture) ?? "none"));

    private static int FlatCount(string overview) =>
        int.Parse(Regex.Match(overview, @"data-label=""Flat pictures"">(\d+)</td>").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task One_step_leaves_every_active_units_picture_flagged_flat_and_drawn_pictures_are_not()
    {
        var (flat, flatOverview, flatPages, flatLog) = await RunAsync(steps: 1);
        var active = flat.Layers.Single().Units.Count(u => u.TopExamples.Max(e => e.Value) > 0);
        Assert.True(active > 0, "no conv1 unit is active on the data set");
        Assert.True(FlatCount(flatOverview) == active, $"{FlatCount(flatOverview)} of {active} active units flagged; contrasts {Contrasts(flat)}");
        Assert.Equal(active, flatPages.Count(p => p.Contains("Nearly flat picture (pixel spread ", StringComparison.Ordinal)));
        // The run says so too, as it ends: an atlas of grey squares exits 0.
        Assert.Contains($"Pictures: {active} of {active} active units kept a nearly flat picture (pixel spread under 0.05; conv1: {active}): " +
                        "they show nothing of their units; more featureVis.steps (this atlas: 1) may draw them", flatLog);

        var (drawn, drawnOverview, drawnPages, drawnLog) = await RunAsync(steps: 48);
        Assert.True(FlatCount(drawnOverview) == 0, $"drawn pictures flagged; contrasts {Contrasts(drawn)}");
        Assert.DoesNotContain(drawnPages, p => p.Contains("flat-picture", StringComparison.Ordinal));
        Assert.DoesNotContain("nearly flat picture", drawnLog);
    }
}
