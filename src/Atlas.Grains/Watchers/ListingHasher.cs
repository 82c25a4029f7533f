using Atlas.Abstractions;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Watchers;

/// <summary>The content hashes of one listing: by fingerprint (for the next listing), and the newest-named entry per hash.</summary>
public sealed record HashedListing(Dictionary<string, string> HashByFingerprint, Dictionary<string, CheckpointEntry> EntryByHash);

/// <summary>
/// Turns a watcher's listing of its source into content hashes. A file unchanged since the last listing
/// (same key, size and stamp) keeps the hash computed then; any other is read once. A file that looks cut
/// short (<see cref="CheckpointWatchService.DigestAsync"/>) is held back, and not read again while it
/// stays unchanged, until <see cref="WatcherOptions.UnfinishedPatience"/> runs out: then it is taken as it
/// is. What is held back lives in memory only; after a restart such files are simply read again.
/// </summary>
public sealed class ListingHasher(CheckpointWatchService service, WatcherOptions options, ILogger logger, string atlas)
{
    private Dictionary<string, UnfinishedCheckpoint> unfinished = new(StringComparer.Ordinal);

    /// <summary>The files held back at the last listing, by key.</summary>
    public IReadOnlyList<UnfinishedCheckpoint> Unfinished => [.. unfinished.Values.OrderBy(u => u.Key, StringComparer.Ordinal)];

    public async Task<HashedListing> HashAsync(string source, IReadOnlyList<CheckpointEntry> entries, IReadOnlyDictionary<string, string> knownHashes, DateTimeOffset now)
    {
        var byHash = new Dictionary<string, CheckpointEntry>(StringComparer.Ordinal);
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        var stillUnfinished = new Dictionary<string, UnfinishedCheckpoint>(StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Modified).ThenBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!knownHashes.TryGetValue(entry.Fingerprint, out var sha))
            {
                sha = await ReadAsync(source, entry, now, stillUnfinished);
                if (sha is null) continue;
            }
            fingerprints[entry.Fingerprint] = sha;
            byHash.TryAdd(sha, entry);
        }
        unfinished = stillUnfinished;
        return new HashedListing(fingerprints, byHash);
    }

    /// <summary>The hash of a new or changed file, or null when it is held back or cannot be read now.</summary>
    private async Task<string?> ReadAsync(string source, CheckpointEntry entry, DateTimeOffset now, Dictionary<string, UnfinishedCheckpoint> stillUnfinished)
    {
        unfinished.TryGetValue(entry.Fingerprint, out var waiting);
        bool patient = waiting is null || now - waiting.Since < options.UnfinishedPatience;
        if (waiting is not null && patient)
        {
            stillUnfinished[entry.Fingerprint] = waiting;   // unchanged since: not read again yet
            return null;
        }
        CheckpointDigest digest;
        try
        {
            digest = await service.DigestAsync(source, entry.Key, checkWhole: patient, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Azure.RequestFailedException)
        {
            // Deleted or replaced between listing and reading: the next listing sees what is there then.
            logger.LogInformation("Watcher {Atlas}: {Key} could not be read ({Error}); looking again next listing", atlas, entry.Key, e.Message);
            return null;
        }
        if (digest.Unfinished is { } why)
        {
            stillUnfinished[entry.Fingerprint] = new UnfinishedCheckpoint(entry.Key, why, now);
            // Said once per file; while it grows, each listing finds it unfinished again.
            var level = unfinished.Values.Any(u => u.Key == entry.Key) ? LogLevel.Debug : LogLevel.Information;
            logger.Log(level, "Watcher {Atlas}: {Key} is still being written ({Why}); taking it once it is whole", atlas, entry.Key, why);
            return null;
        }
        if (waiting is not null)
            logger.LogWarning("Watcher {Atlas}: {Key} has looked unfinished ({Why}) and unchanged since {Since:u}; taking it as it is", atlas, entry.Key, waiting.Reason, waiting.Since);
        return digest.Sha256;
    }
}
