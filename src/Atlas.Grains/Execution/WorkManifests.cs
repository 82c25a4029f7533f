using Atlas.Core.Examples;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

// What each kind of unit writes to the store as its manifest: the reduce and finalize units read
// these back, so a re-run unit simply replaces its own file.

public sealed record FeatureVisWork(string Layer, int Start, int End, IReadOnlyList<RenderedUnit> Units);

/// <summary>A unit's pictures: <paramref name="VisKey"/> is the main one (the positive channel picture when rendered); <paramref name="Visualizations"/> lists all.</summary>
public sealed record RenderedUnit(int Index, string VisKey, double Objective, string ObjectiveDescription, IReadOnlyList<VisArtifact>? Visualizations = null);

public sealed record ExampleShardWork(int Start, int End, int K, IReadOnlyDictionary<string, ExampleHit[][]> Layers)
{
    /// <summary>The model's top-1 hits on the shard's labelled images; null when the labels do not name its outputs (or in older work).</summary>
    public DatasetAccuracy? Accuracy { get; init; }

    /// <summary>The shard's images that could not be read; null when all were (or in older work).</summary>
    public UnreadableImages? Unreadable { get; init; }
}

public sealed record MergedExamplesWork(int K, IReadOnlyDictionary<string, ExampleHit[][]> Layers, IReadOnlyDictionary<int, string> ImageKeys)
{
    /// <summary>The shards' <see cref="ExampleShardWork.Accuracy"/> summed; null when no shard counted.</summary>
    public DatasetAccuracy? Accuracy { get; init; }

    /// <summary>The shards' <see cref="ExampleShardWork.Unreadable"/> together.</summary>
    public UnreadableImages? Unreadable { get; init; }
}
