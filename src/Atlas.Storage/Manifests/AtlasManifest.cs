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
}

public sealed record ModelInfo(
    string Architecture,
    string CheckpointFile,
    string CheckpointSha256,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    double? TestAccuracy);

public sealed record DatasetInfo(string Name, string Split, int Count, IReadOnlyList<string> ClassNames);

/// <summary>How the feature visualizations were made, so a picture can be reproduced.</summary>
public sealed record RecipeInfo(string Parameterization, int Steps, double LearningRate, int Seed, int ImageSize, string Transforms);

/// <summary>One atlas layer: its shape and every unit (channel, or class for the logits layer).</summary>
public sealed record LayerManifest(
    string Name,
    string Kind,
    int Channels,
    int Height,
    int Width,
    IReadOnlyList<UnitManifest> Units);

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
    IReadOnlyList<ExampleRef> TopExamples);

/// <summary>A dataset image that excites a unit: its value (max over positions) and where.</summary>
public sealed record ExampleRef(int ImageIndex, float Value, int Y, int X, int Label, string ImageKey);
