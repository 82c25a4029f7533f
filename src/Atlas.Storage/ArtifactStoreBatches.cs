namespace Atlas.Storage;

/// <summary>One object of a batch of writes.</summary>
public readonly record struct ArtifactWrite(string Key, ReadOnlyMemory<byte> Content, string ContentType);

/// <summary>
/// Writes of many objects at once. A unit stores hundreds of pictures; one at a time, each waits out a
/// round trip to blob storage, and a GPU worker's next unit can be waiting on the device for this one to
/// finish. Several in flight hide the latency (`atlas bench store` measures it).
/// </summary>
public static class ArtifactStoreBatches
{
    /// <summary>Writes in flight at once: enough to hide a blob round trip, few enough for a small machine's sockets and disk.</summary>
    public const int Concurrency = 8;

    /// <summary>Writes every object, <paramref name="concurrency"/> at a time; returns once all are durable, or throws the first failure.</summary>
    public static Task PutManyAsync(this IArtifactStore store, IEnumerable<ArtifactWrite> writes, CancellationToken cancellationToken = default,
        int concurrency = Concurrency) =>
        Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (write, token) => await store.PutAsync(write.Key, write.Content, write.ContentType, token));
}
