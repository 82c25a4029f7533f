namespace Atlas.Abstractions;

[Alias("atlas.work-kind")]
public enum WorkKind
{
    /// <summary>Feature visualizations of units [Start, End) of Layer, in one batched optimisation.</summary>
    FeatureVis,
    /// <summary>Per-unit top-k over dataset images [Start, End), for every layer.</summary>
    ExampleShard,
    /// <summary>Merges every shard's top-k (runs once all shards are done).</summary>
    ReduceExamples,
    /// <summary>Writes the atlas manifest (runs once everything else is done).</summary>
    Finalize,
    /// <summary>Per-layer analysis of Layer: activation stats, weights, circuits, class spread, Grad-CAM (runs after the reduce).</summary>
    Analysis,
}

/// <summary>A piece of a job that one worker computes; its id is deterministic, so a re-run overwrites the same keys.</summary>
[GenerateSerializer, Immutable, Alias("atlas.work-unit")]
public sealed record WorkUnit(
    [property: Id(0)] string Id,
    [property: Id(1)] WorkKind Kind,
    [property: Id(2)] string? Layer,
    [property: Id(3)] int Start,
    [property: Id(4)] int End);

/// <summary>A unit handed to a worker until <see cref="Deadline"/>; renew it while computing.</summary>
[GenerateSerializer, Immutable, Alias("atlas.unit-lease")]
public sealed record UnitLease(
    [property: Id(0)] string JobId,
    [property: Id(1)] Guid LeaseId,
    [property: Id(2)] WorkUnit Unit,
    [property: Id(3)] DateTimeOffset Deadline,
    [property: Id(4)] AtlasJobSpec Spec);

/// <summary>What a finished unit wrote: its manifest key (artifacts are durable before this is reported).</summary>
[GenerateSerializer, Immutable, Alias("atlas.unit-result")]
public sealed record UnitResult(
    [property: Id(0)] string ManifestKey,
    [property: Id(1)] int Artifacts,
    [property: Id(2)] double ComputeSeconds);
