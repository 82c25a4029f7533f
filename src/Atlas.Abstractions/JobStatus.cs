namespace Atlas.Abstractions;

[Alias("atlas.job-state")]
public enum JobState { Unknown, Running, Completed, Failed, Cancelled }

/// <summary>Progress of one phase (a layer's feature visualizations, the dataset pass, …).</summary>
[GenerateSerializer, Immutable, Alias("atlas.phase-progress")]
public sealed record PhaseProgress(
    [property: Id(0)] string Name,
    [property: Id(1)] int Done,
    [property: Id(2)] int Total,
    [property: Id(3)] int Leased,
    [property: Id(4)] int Failed);

[GenerateSerializer, Immutable, Alias("atlas.job-status")]
public sealed record JobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] JobState State,
    [property: Id(2)] int Total,
    [property: Id(3)] int Done,
    [property: Id(4)] int Leased,
    [property: Id(5)] int Failed,
    [property: Id(6)] IReadOnlyList<PhaseProgress> Phases,
    [property: Id(7)] string? Error)
{
    public bool IsFinished => State is JobState.Completed or JobState.Failed or JobState.Cancelled;
}
