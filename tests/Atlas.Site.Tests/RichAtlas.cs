using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>
/// A realistic small atlas with every optional manifest field filled: version "v2" of the test
/// atlas, layers "conv" (4 units, 7×7, with filter weights) and "logits" (3 class units, one named
/// with hostile HTML), every visualization kind, top and bottom examples with heatmaps, circuit links
/// both ways (and one to a layer outside the atlas), class spreads, layer statistics, cross-version
/// matches and other versions — v1 (in the store) and "v0" (not in the store, so never linked).
/// </summary>
internal static class RichAtlas
{
    public const string Version = "v2";
    public const string Sneaker = "Sneaker";
    public static readonly string[] Classes = ["zero", TestAtlas.Hostile, Sneaker];
    public static readonly DateTimeOffset Created = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The top example value of conv unit <paramref name="i"/>: unit 2 is the strongest, so sorting by max moves it first.</summary>
    public static float TopValue(int i) => i == 2 ? 9.5f : 2f + i;

    public static AtlasManifest Manifest()
    {
        var keys = new AtlasKeys(TestAtlas.Atlas, Version);
        return new AtlasManifest
        {
            Atlas = TestAtlas.Atlas,
            Version = Version,
            Title = "MNIST CNN & friends",
            CreatedAt = Created,
            Model = new ModelInfo("SmallCnn", "model-v2.pt", new string('b', 64), 1, 28, 28, 0.991),
            Dataset = new DatasetInfo("MNIST", "test", 10, Classes),
            Recipe = new RecipeInfo("fft", 256, 0.05, 7, TestAtlas.VisSize, "pad 2, jitter 2, scale 0.9-1.1"),
            OtherVersions =
            [
                new VersionRef(TestAtlas.Version, new string('a', 64), new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero)),
                new VersionRef("v0", new string('c', 64), new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            ],
            Layers =
            [
                new LayerManifest("conv", "conv", 4, 7, 7, [.. Enumerable.Range(0, 4).Select(i => Unit(keys, "conv", i, null))])
                {
                    Stats = new LayerStats(0.42, 0.55, 0.8) { WeightMean = 0.01, WeightStd = 0.2 },
                    WeightsKey = $"{keys.Root}/layers/conv/weights.png",
                },
                new LayerManifest("logits", "linear", 3, 1, 1, [.. Enumerable.Range(0, 3).Select(i => Unit(keys, "logits", i, Classes[i]))])
                {
                    Stats = new LayerStats(-1.25, 0.9, 0.33),
                },
            ],
        };
    }

    private static UnitManifest Unit(AtlasKeys keys, string layer, int i, string? label)
    {
        var folder = $"{keys.Root}/layers/{layer}/units/{i}";
        ExampleRef Example(int image, float value, int y, int x, int cls) =>
            new(image, value, y, x, cls, keys.DatasetImage(image)) { HeatmapKey = $"{folder}/heat-{image}.png" };
        var isConv = layer == "conv";
        return new UnitManifest(i, label, $"channel({layer}:{i}) spatial mean", keys.UnitVis(layer, i), 1.5 + i,
            [Example(i, isConv ? TopValue(i) : 3 + i, 2, 3, i % 3), Example(i + 10, 1.5f, 6, 0, 2), Example(i + 20, 1.25f, 0, 6, 1)])
        {
            Visualizations =
            [
                new VisArtifact("channel", keys.UnitVis(layer, i), $"channel({layer}:{i})", 1.5 + i, 7),
                new VisArtifact("negative", $"{folder}/negative.png", $"-channel({layer}:{i})", -0.5, 8),
                new VisArtifact("neuron", $"{folder}/neuron.png", $"neuron({layer}:{i}) at centre", 2.5, 9),
                new VisArtifact("diversity-0", $"{folder}/diversity-0.png", $"channel({layer}:{i}) - 0.5 diversity", 1.1, 10),
                new VisArtifact("diversity-1", $"{folder}/diversity-1.png", $"channel({layer}:{i}) - 0.5 diversity", 1.0, 11),
            ],
            BottomExamples = [Example(i + 30, -2.5f, 1, 1, 0), Example(i + 31, -1.5f, 3, 3, 2)],
            Inputs = isConv
                ? [new CircuitLink("input", 0, 0.9f, $"{folder}/kernel-in-0.png")]
                : [new CircuitLink("conv", i, 0.8f, $"{folder}/kernel-in-{i}.png"), new CircuitLink("conv", (i + 1) % 4, -0.4f, null)],
            Outputs = isConv ? [new CircuitLink("logits", i % 3, i % 2 == 0 ? 0.7f : -0.6f, null)] : [],
            ClassSpread = new ClassSpread(
                new Dictionary<string, int> { [Classes[i % 3]] = 2, [Classes[(i + 1) % 3]] = 1 }, 0.5 + i * 0.3, Classes[i % 3]),
            Matches = [new VersionMatch(TestAtlas.Version, i % 3, 0.93, "same"), new VersionMatch(TestAtlas.Version, 99, 0.2, "different")],
        };
    }

    /// <summary>Every image key the manifest names.</summary>
    public static IEnumerable<string> ImageKeys(AtlasManifest m) =>
        m.Layers.Select(l => l.WeightsKey).OfType<string>()
            .Concat(m.Layers.SelectMany(l => l.Units).SelectMany(u =>
                new[] { u.VisKey }
                    .Concat(u.Visualizations.Select(v => v.Key))
                    .Concat(u.TopExamples.Concat(u.BottomExamples).SelectMany(e => new[] { e.ImageKey, e.HeatmapKey }).OfType<string>())
                    .Concat(u.Inputs.Concat(u.Outputs).Select(c => c.KernelKey).OfType<string>())))
            .Distinct();

    /// <summary>A store with this atlas (v2) and the plain test atlas (v1) it links to.</summary>
    public static async Task<LocalFolderArtifactStore> StoreAsync(string folder)
    {
        var store = await TestAtlas.StoreAsync(folder);
        await PutAsync(store, Manifest());
        return store;
    }

    public static async Task PutAsync(IArtifactStore store, AtlasManifest manifest)
    {
        await store.PutJsonAsync(new AtlasKeys(manifest.Atlas, manifest.Version).Manifest, manifest);
        foreach (var key in ImageKeys(manifest))
        {
            var png = key.Contains("/heat-", StringComparison.Ordinal) ? TestPng.Heat(7, 7)
                : key.Contains("/dataset/", StringComparison.Ordinal) ? TestPng.Gray(28, 28)
                : key.Contains("kernel", StringComparison.Ordinal) ? TestPng.Gray(3, 3)
                : key.EndsWith("weights.png", StringComparison.Ordinal) ? TestPng.Gray(64, 16)
                : TestPng.Gray(TestAtlas.VisSize, TestAtlas.VisSize);
            await store.PutAsync(key, png, "image/png");
        }
    }
}
