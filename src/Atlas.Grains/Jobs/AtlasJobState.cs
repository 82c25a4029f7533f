using Atlas.Abstractions;

namespace Atlas.Grains.Jobs;

[Alias("atlas.unit-status")]
public enum UnitStatus { Pending, Leased, Done, Failed }

/// <summary>The durable record of one unit: who holds it until when, how often it was tried, what it wrote.</summary>
[GenerateSerializer, Alias("atlas.unit-record")]
public sealed class UnitRecord
{
    [Id(0)] public required WorkUnit Unit { get; init; }
    [Id(1)] public UnitStatus Status { get; set; }
    [Id(2)] public Guid LeaseId { get; set; }
    [Id(3)] public string? Worker { get; set; }
    [Id(4)] public DateTimeOffset LeaseDeadline { get; set; }
    [Id(5)] public int Attempts { get; set; }
    [Id(6)] public string? LastError { get; set; }
    [Id(7)] public UnitResult? Result { get; set; }
    /// <summary>A retried unit is not handed out again before this time (backoff).</summary>
    [Id(8)] public DateTimeOffset NotBefore { get; set; }
    [Id(9)] public int Reassignments { get; set; }
    /// <summary>Attempts that ended in a reported error (lease expiries are counted in <see cref="Reassignments"/>).</summary>
    [Id(10)] public int Failures { get; set; }
}

[GenerateSerializer, Alias("atlas.job-state-record")]
public sealed class AtlasJobState
{
    [Id(0)] public AtlasJobSpec? Spec { get; set; }
    [Id(1)] public JobState State { get; set; }
    [Id(2)] public List<UnitRecord> Units { get; set; } = [];
    [Id(3)] public string? Error { get; set; }
    [Id(4)] public DateTimeOffset SubmittedAt { get; set; }
}
