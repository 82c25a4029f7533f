namespace Atlas.Storage.Manifests;

/// <summary>
/// The deterministic key layout of one atlas version, in one place so writers (workers) and readers
/// (the site) cannot drift apart: {atlas}/{version}/...
/// </summary>
public sealed record AtlasKeys(string Atlas, string Version)
{
    public string Root => ArtifactKey.Join(ArtifactKey.Segment(Atlas), ArtifactKey.Segment(Version));
    public string Manifest => $"{Root}/atlas.json";
    public string UnitVis(string layer, int unit) => $"{Root}/layers/{ArtifactKey.Segment(layer)}/units/{unit}/vis.png";
    /// <summary>One picture of a unit by kind (channel, negative, neuron, diversity-0…).</summary>
    public string UnitVis(string layer, int unit, string kind) => $"{Root}/layers/{ArtifactKey.Segment(layer)}/units/{unit}/vis-{ArtifactKey.Segment(kind)}.png";
    public string FeatureVisWork(string layer, int start, int end) => $"{Root}/work/featurevis/{ArtifactKey.Segment(layer)}/{start}-{end}.json";
    public string ExampleShardWork(int start, int end) => $"{Root}/work/examples/{start}-{end}.json";
    public string ExampleShardPrefix => $"{Root}/work/examples/";
    public string FeatureVisWorkPrefix(string layer) => $"{Root}/work/featurevis/{ArtifactKey.Segment(layer)}/";
    public string MergedExamplesWork => $"{Root}/work/examples-merged.json";
    /// <summary>What the latest `atlas run` into this version computes (see RunFingerprint): a run that finds its own may resume.</summary>
    public string RunFingerprint => $"{Root}/work/run.json";
    public string LayerExamples(string layer) => $"{Root}/layers/{ArtifactKey.Segment(layer)}/examples.json";
    public string DatasetImage(int index) => $"{Root}/dataset/images/{index}.png";

    /// <summary>Per-layer analysis (stats, circuits, class spread, Grad-CAM) written by the analysis unit.</summary>
    public string AnalysisWork(string layer) => $"{Root}/work/analysis/{ArtifactKey.Segment(layer)}.json";
    /// <summary>Picture of the filters of a layer that reads the image.</summary>
    public string LayerWeights(string layer) => $"{Root}/layers/{ArtifactKey.Segment(layer)}/weights.png";
    /// <summary>Kernel with which unit <paramref name="unit"/> of <paramref name="layer"/> reads unit <paramref name="fromUnit"/> of <paramref name="fromLayer"/>.</summary>
    public string CircuitKernel(string layer, int unit, string fromLayer, int fromUnit) =>
        $"{Root}/layers/{ArtifactKey.Segment(layer)}/units/{unit}/kernels/{ArtifactKey.Segment(fromLayer)}-{fromUnit}.png";
    /// <summary>Heatmap overlay (Grad-CAM for logits units) of one of a unit's example images.</summary>
    public string ExampleHeatmap(string layer, int unit, int image) => $"{Root}/layers/{ArtifactKey.Segment(layer)}/units/{unit}/heatmaps/{image}.png";

    /// <summary>
    /// Left where a version was when a watcher's retention (keepVersions) deleted it, and written before anything of it
    /// is deleted: a version whose manifest is still there beside it is being deleted (or its deletion was cut short),
    /// so readers treat it as gone (<see cref="StoreAtlases"/>).
    /// </summary>
    public string Retired => $"{Root}/retired.json";

    /// <summary>Lists every atlas manifest in a store: keys of the form {atlas}/{version}/atlas.json.</summary>
    public static bool IsManifestKey(string key) => key.EndsWith("/atlas.json", StringComparison.Ordinal) && key.Count(c => c == '/') == 2;

    /// <summary>A retired version's marker: {atlas}/{version}/retired.json.</summary>
    public static bool IsRetiredKey(string key) => key.EndsWith("/retired.json", StringComparison.Ordinal) && key.Count(c => c == '/') == 2;

    /// <summary>The {atlas}/{version} root of a version-level key (a manifest's or a marker's).</summary>
    public static string RootOf(string key) => key[..key.LastIndexOf('/')];
}
