using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>
/// A small atlas: layer "conv" (3 units, 7×7) and layer "logits" (2 linear units with class labels,
/// one of them hostile HTML), with real PNGs for every visualization and dataset image.
/// </summary>
internal static class TestAtlas
{
    public const string Hostile = "<script>alert(1)</script>";
    public const string Atlas = "mnist-cnn";
    public const string Version = "v1";
    public const int VisSize = 28;

    public static AtlasManifest Manifest(string version = Version, string title = "MNIST CNN & friends")
    {
        var keys = new AtlasKeys(Atlas, version);
        return new AtlasManifest
        {
            Atlas = Atlas,
            Version = version,
            Title = title,
            CreatedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero),
            Model = new ModelInfo("SmallCnn", "model.pt", new string('a', 64), 1, 28, 28, 0.985),
            Dataset = new DatasetInfo("MNIST", "test", 10, ["zero", Hostile]),
            Recipe = new RecipeInfo("fft", 256, 0.05, 1, VisSize, "jitter 2, scale 0.9-1.1"),
            Layers =
            [
                new LayerManifest("conv", "conv", 3, 7, 7,
                    [.. Enumerable.Range(0, 3).Select(i => Unit(keys, "conv", i, label: null))]),
                new LayerManifest("logits", "linear", 2, 1, 1,
                    [Unit(keys, "logits", 0, "zero"), Unit(keys, "logits", 1, Hostile)]),
            ],
        };
    }

    public static UnitManifest Unit(AtlasKeys keys, string layer, int index, string? label) => new(
        index, label, $"mean activation of {layer}[{index}]", keys.UnitVis(layer, index), 1.5 + index,
        [
            new ExampleRef(index, 3.25f, 2, 3, 1, keys.DatasetImage(index)),
            new ExampleRef(index + 5, 2.5f, 0, 0, 42, keys.DatasetImage(index + 5)), // label outside ClassNames
        ]);

    /// <summary>Writes the manifest and every image it names into the store.</summary>
    public static async Task PutAsync(IArtifactStore store, AtlasManifest manifest)
    {
        var keys = new AtlasKeys(manifest.Atlas, manifest.Version);
        await store.PutJsonAsync(keys.Manifest, manifest);
        foreach (var unit in manifest.Layers.SelectMany(l => l.Units))
        {
            await store.PutAsync(unit.VisKey, TestPng.Gray(VisSize, VisSize), "image/png");
            foreach (var example in unit.TopExamples) await store.PutAsync(example.ImageKey, TestPng.OnePixel, "image/png");
        }
    }

    public static async Task<LocalFolderArtifactStore> StoreAsync(string folder, params AtlasManifest[] manifests)
    {
        var store = new LocalFolderArtifactStore(folder);
        foreach (var manifest in manifests.DefaultIfEmpty(Manifest())) await PutAsync(store, manifest);
        return store;
    }
}
