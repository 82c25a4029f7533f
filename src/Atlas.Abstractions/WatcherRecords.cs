namespace Atlas.Abstractions;

[Alias("atlas.checkpoint-state")]
public enum CheckpointState
{
    /// <summary>Found and waiting for its turn (checkpoints run one at a time, oldest first).</summary>
    Queued,
    /// <summary>Its atlas job is running.</summary>
    Running,
    /// <summary>Its atlas version is in the store.</summary>
    Completed,
    /// <summary>Its job failed or was cancelled; not resubmitted (the job id is the checkpoint's).</summary>
    Failed,
    /// <summary>The checkpoint could not be read as a model (corrupt, wrong architecture): reported once, never retried.</summary>
    Rejected,
    /// <summary>It left the source before its turn came; it is queued again if the same content reappears.</summary>
    Vanished,
    /// <summary>Its version was deleted by retention (keepVersions); the content stays known, so it is not recomputed.</summary>
    Retired,
}

/// <summary>One checkpoint the watcher has seen, by content hash.</summary>
[GenerateSerializer, Immutable, Alias("atlas.watched-checkpoint")]
public sealed record WatchedCheckpoint(
    [property: Id(0)] string Sha256,
    [property: Id(1)] string Key,
    [property: Id(2)] CheckpointState State,
    [property: Id(3)] DateTimeOffset DiscoveredAt,
    [property: Id(4)] string? JobId,
    [property: Id(5)] string? Error,
    [property: Id(6)] int Attempts)
{
    /// <summary>The atlas version this checkpoint makes: the first 12 hex digits of its SHA-256.</summary>
    public string Version => Sha256[..12];
}

[GenerateSerializer, Immutable, Alias("atlas.watcher-status")]
public sealed record WatcherStatus(
    [property: Id(0)] string Atlas,
    [property: Id(1)] bool Active,
    [property: Id(2)] string? Source,
    [property: Id(3)] string? Schedule,
    [property: Id(4)] DateTimeOffset? LastListedAt,
    [property: Id(5)] DateTimeOffset? NextListingAt,
    [property: Id(6)] IReadOnlyList<WatchedCheckpoint> Checkpoints,
    [property: Id(7)] string? LastError)
{
    /// <summary>Listings done so far (each one a full look at the source).</summary>
    [Id(8)] public int Listings { get; init; }

    /// <summary>Files in the source that look cut short (a trainer still writing them); taken once they are whole.</summary>
    [Id(9)] public IReadOnlyList<UnfinishedCheckpoint> Unfinished { get; init; } = [];

    /// <summary>No checkpoint waits or runs: everything seen so far is settled.</summary>
    public bool Idle => Checkpoints.All(c => c.State is not (CheckpointState.Queued or CheckpointState.Running));
}

/// <summary>A checkpoint file that is still being written, as far as its format shows, and since when it looks so unchanged.</summary>
[GenerateSerializer, Immutable, Alias("atlas.unfinished-checkpoint")]
public sealed record UnfinishedCheckpoint(
    [property: Id(0)] string Key,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset Since);
