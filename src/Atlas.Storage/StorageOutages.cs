using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Atlas.Storage;

/// <summary>
/// The stores this process finds unreachable right now, so that an outage is said once when it begins and once when it
/// ends, however many calls of however many workers (each with its own <see cref="ResilientArtifactStore"/>) meet it.
/// Without this, retries ride out an outage in silence, and a user watching a job sees nothing happen for minutes.
/// </summary>
internal static class StorageOutages
{
    private static readonly ConcurrentDictionary<string, long> Since = new(StringComparer.Ordinal);

    public static void Began(string store, Exception cause, TimeSpan patience, ILogger logger)
    {
        if (Since.TryAdd(store, Stopwatch.GetTimestamp()))
            logger.LogWarning("{Store} does not answer ({Cause}); each call to it is retried for up to {Seconds:F0} s", store, ErrorCause.Of(cause), patience.TotalSeconds);
    }

    public static void Ended(string store, ILogger logger)
    {
        if (!Since.IsEmpty && Since.TryRemove(store, out var since))
            logger.LogInformation("{Store} answers again, after {Seconds:F0} s", store, Stopwatch.GetElapsedTime(since).TotalSeconds);
    }
}
