namespace Atlas.Storage.Manifests;

/// <summary>
/// The finished atlas of one model version: everything the site needs, and nothing it must compute.
/// Stored as JSON at <see cref="AtlasKeys.Manifest"/>.
/// </summary>
public sealed record AtlasManifest
{
    public const int CurrentSchema = 1;
    public int Schema { get; init; } = CurrentSchema;
    public required string Atlas { get; init; }
    public required string Version { get; init; }
    public required string Title { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required ModelInfo Model { get; init; }
    public required DatasetInfo Dataset { get; init; }
    public required RecipeInfo Recipe { get; init; }
    public required IReadOnlyList<LayerManifest> Layers { get; init; }
    /// <summary>Other versions of the same atlas known when this one was written (newest first); empty when none.</summary>
    public IReadOnlyList<VersionRef> OtherVersions { get; init; } = [];
    /// <summary>The model's accuracy on <see cref="Dataset"/>, counted in the dataset pass; null in atlases made before it was.</summary>
    public DatasetAccuracy? Accuracy { get; init; }
}

/// <summary>Another version of the same atlas, for cross-version links and comparisons.</summary>
public sealed record VersionRef(string Version, string CheckpointSha256, DateTimeOffset CreatedAt);

public sealed record ModelInfo(
    string Architecture,
    string CheckpointFile,
    string CheckpointSha256,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    double? TestAccuracy);

/// <summary>
/// The model's top-1 accuracy on the atlas's own data set: <paramref name="Correct"/> of <paramref name="Images"/> labelled
/// images, counted in the dataset pass with the config's normalization, input size and class order (so a wrong one shows
/// here, where the pictures still look plausible). Not the demo trainer's test accuracy (<see cref="ModelInfo.TestAccuracy"/>).
/// When it could not be measured, <paramref name="NotMeasured"/> says why and the counts are 0.
/// </summary>
public sealed record DatasetAccuracy(int Correct, int Images, string? NotMeasured = null)
{
    public static DatasetAccuracy Unmeasured(string reason) => new(0, 0, reason);

    /// <summary>Correct / Images, or null when nothing was counted.</summary>
    public double? Fraction() => Images > 0 ? (double)Correct / Images : null;

    /// <summary>
    /// Below twice chance (1 / classes; <see cref="TwiceChance"/>): a trained classifier on its own kind of images does far
    /// better, so the config most likely feeds it differently from its training (normalization, input size, class order).
    /// </summary>
    public bool BelowTwiceChance(int classes) => Fraction() is { } fraction && classes > 0 && fraction < TwiceChance(classes);

    /// <summary>2 / classes, capped halfway between chance and 100 %: twice chance is all of a two-class set, which no model would pass.</summary>
    public static double TwiceChance(int classes) => Math.Min(2.0 / classes, (1 + 1.0 / classes) / 2);
}

public sealed record DatasetInfo(string Name, string Split, int Count, IReadOnlyList<string> ClassNames)
{
    /// <summary>Images that could not be read (corrupt or unsupported files), left out of the examples; null in older manifests.</summary>
    public UnreadableImages? Unreadable { get; init; }
}

/// <summary>How many of the data set's images could not be read, and the first of them by index (at most <see cref="Named"/>).</summary>
public sealed record UnreadableImages(int Count, IReadOnlyList<UnreadableImage> First)
{
    /// <summary>Files named in a manifest: enough to find the pattern, not a whole corrupt folder's listing.</summary>
    public const int Named = 20;

    public static UnreadableImages? Merge(UnreadableImages? a, UnreadableImages? b) =>
        a is null ? b : b is null ? a
        : new(a.Count + b.Count, a.First.Concat(b.First).OrderBy(i => i.Index).Take(Named).ToList());
}

/// <summary>One unreadable image: its index, its path (relative to dataset.path where it lies under it) and why.</summary>
public sealed record UnreadableImage(int Index, string Path, string Reason);

/// <summary>How the feature visualizations were made, so a picture can be reproduced.</summary>
public sealed record RecipeInfo(string Parameterization, int Steps, double LearningRate, int Seed, int ImageSize, string Transforms);

/// <summary>One atlas layer: its shape and every unit (channel, or class for the logits layer).</summary>
public sealed record LayerManifest(
    string Name,
    string Kind,
    int Channels,
    int Height,
    int Width,
    IReadOnlyList<UnitManifest> Units)
{
    /// <summary>Activation statistics averaged over the dataset (null when not computed).</summary>
    public LayerStats? Stats { get; init; }
    /// <summary>Image of this layer's filters (first layers whose input is the image), when rendered.</summary>
    public string? WeightsKey { get; init; }
}

/// <summary>
/// Per-layer statistics over the dataset: mean activation, fraction of activations ≤ 0 (sparsity),
/// fraction of channels that are active (max > 0) per image, and weight statistics.
/// </summary>
public sealed record LayerStats(double Mean, double FractionNonPositive, double FractionChannelsActive)
{
    public double? WeightMean { get; init; }
    public double? WeightStd { get; init; }
}

/// <summary>
/// One unit. <see cref="Label"/> is the class name for logits units. <see cref="Objective"/> is the
/// final value the visualization reached; <see cref="TopExamples"/> are sorted best first.
/// </summary>
public sealed record UnitManifest(
    int Index,
    string? Label,
    string ObjectiveDescription,
    string VisKey,
    double Objective,
    IReadOnlyList<ExampleRef> TopExamples)
{
    /// <summary>Every visualization of the unit (kinds: channel, negative, neuron, diversity-0…); the main one is also <see cref="VisKey"/>.</summary>
    public IReadOnlyList<VisArtifact> Visualizations { get; init; } = [];
    /// <summary>The images that drive the unit lowest (min over positions), lowest first.</summary>
    public IReadOnlyList<ExampleRef> BottomExamples { get; init; } = [];
    /// <summary>Strongest connections from units of the previous atlas layer (signed), strongest first.</summary>
    public IReadOnlyList<CircuitLink> Inputs { get; init; } = [];
    /// <summary>Strongest connections to units of the next atlas layer (signed), strongest first.</summary>
    public IReadOnlyList<CircuitLink> Outputs { get; init; } = [];
    /// <summary>How the top examples spread over dataset classes (labelled datasets only).</summary>
    public ClassSpread? ClassSpread { get; init; }
    /// <summary>How this unit matches units of another version (issue: comparisons); empty when not compared.</summary>
    public IReadOnlyList<VersionMatch> Matches { get; init; } = [];

    /// <summary>
    /// The unit's main picture when it stayed nearly flat (<see cref="VisArtifact.FlatBelow"/>) although a data set image
    /// activates the unit (its top example above 0); otherwise null. Such a picture shows nothing of the unit. A unit the
    /// data set never activates may well keep a flat picture, and a picture without a measured contrast is not judged.
    /// </summary>
    public VisArtifact? FlatMainPicture() =>
        Visualizations.FirstOrDefault(v => v.Key == VisKey) is { Contrast: < VisArtifact.FlatBelow } main && ActiveOnData() ? main : null;

    /// <summary>Whether a data set image lifts the unit above 0 (its top example's value).</summary>
    public bool ActiveOnData() => TopExamples.Any(e => e.Value > 0);
}

/// <summary>One picture of a unit and how it was made (objective, seed), so it can be reproduced.</summary>
public sealed record VisArtifact(string Kind, string Key, string ObjectiveDescription, double Objective, int Seed)
{
    /// <summary>
    /// The picture's pixel spread (root mean square over channels of the standard deviation over positions, pixels in
    /// [0,1]): near 0 for a picture that stayed at its starting noise; null in older manifests.
    /// </summary>
    public double? Contrast { get; init; }

    /// <summary>
    /// <see cref="Contrast"/> below which a picture counts as nearly flat: well above the starting noise, well below a
    /// drawn picture. Measured here after one step (the noise): 0.019–0.023 for the demo's units, 0.015–0.016 for
    /// GoogLeNet's inception4a; drawn: 0.20–0.24 for demo conv1 after 48 steps (FlatPictureRunTests prints them when it
    /// fails), 0.30–0.49 for the demo's 118 active units after its 512 (README command 1), 0.12–0.20 for inception4a
    /// after only 64 (by hand, `atlas run` on the fixture checkpoint).
    /// </summary>
    public const double FlatBelow = 0.05;
}

/// <summary>A dataset image that excites a unit: its value (max over positions) and where.</summary>
public sealed record ExampleRef(int ImageIndex, float Value, int Y, int X, int Label, string ImageKey)
{
    /// <summary>The unit's activation map over this image, as an overlay PNG, when rendered.</summary>
    public string? HeatmapKey { get; init; }

    /// <summary>The image's file, relative to dataset.path, for an image folder (so a reader can find it); null otherwise.</summary>
    public string? File { get; init; }
}

/// <summary>A connection between units of two atlas layers; <see cref="KernelKey"/> is a small heatmap of the spatial kernel.</summary>
public sealed record CircuitLink(string Layer, int Unit, float Weight, string? KernelKey);

/// <summary>Class counts among the top examples, their entropy in bits, and the most frequent class.</summary>
public sealed record ClassSpread(IReadOnlyDictionary<string, int> Counts, double EntropyBits, string DominantClass);

/// <summary>The best-matching unit in another version, by activation correlation on a probe set.</summary>
public sealed record VersionMatch(string Version, int Unit, double Correlation, string Verdict);
