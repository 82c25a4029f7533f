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
    /// <summary>How often a lease expired and its unit went back to the queue (a worker died or hung).</summary>
    [Id(8)] public int Reassignments { get; init; }
    /// <summary>Unit executions handed out so far (first tries, retries and reassignments).</summary>
    [Id(9)] public int Executions { get; init; }
    /// <summary>Workers holding leases right now.</summary>
    [Id(10)] public IReadOnlyList<string> Workers { get; init; } = [];
    /// <summary>When the job was submitted, for ETA estimates.</summary>
    [Id(11)] public DateTimeOffset SubmittedAt { get; init; }
    /// <summary>Seconds the finished units spent computing on their devices (for coordination-overhead figures).</summary>
    [Id(12)] public double ComputeSeconds { get; init; }

    public bool IsFinished => State is JobState.Completed or JobState.Failed or JobState.Cancelled;
}
