using Atlas.Abstractions;

namespace Atlas.Grains.Watchers;

/// <summary>One checkpoint by content hash: where it was last seen, and how far it got.</summary>
[GenerateSerializer, Alias("atlas.checkpoint-record")]
public sealed class CheckpointRecord
{
    [Id(0)] public required string Sha256 { get; init; }
    /// <summary>Its name in the source when last listed (a rename updates it; the hash stays).</summary>
    [Id(1)] public required string Key { get; set; }
    [Id(2)] public CheckpointState State { get; set; }
    [Id(3)] public DateTimeOffset DiscoveredAt { get; init; }
    /// <summary>The source's modification time: checkpoints found together run oldest first.</summary>
    [Id(4)] public DateTimeOffset Modified { get; set; }
    [Id(5)] public string? JobId { get; set; }
    [Id(6)] public string? Error { get; set; }
    [Id(7)] public int Attempts { get; set; }
    [Id(8)] public DateTimeOffset NotBefore { get; set; }

    public string Version => Sha256[..12];

    public WatchedCheckpoint ToStatus() => new(Sha256, Key, State, DiscoveredAt, JobId, Error, Attempts);
}

/// <summary>A watcher's durable record (grain storage): it is what makes a restart lose nothing and repeat nothing.</summary>
[GenerateSerializer, Alias("atlas.watcher-state")]
public sealed class CheckpointWatcherState
{
    [Id(0)] public string? ConfigJson { get; set; }
    [Id(1)] public bool Active { get; set; }
    [Id(2)] public DateTimeOffset? LastListedAt { get; set; }
    /// <summary>Content hash by (key, size, stamp) of the last listing, so unchanged files are not read again.</summary>
    [Id(3)] public Dictionary<string, string> HashByFingerprint { get; set; } = [];
    [Id(4)] public List<CheckpointRecord> Checkpoints { get; set; } = [];
    [Id(5)] public string? LastError { get; set; }
    [Id(6)] public int Listings { get; set; }
}
