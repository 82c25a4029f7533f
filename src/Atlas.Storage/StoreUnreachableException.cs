namespace Atlas.Storage;

/// <summary>
/// A store that kept failing with transient errors (refused connections, timeouts, 5xx) for as long as
/// <see cref="ResilientArtifactStore"/> retries. Its message names the store and the cause in one line, where the Azure
/// client's own says "Retry failed after 6 tries…" and repeats the cause once per try.
/// </summary>
public sealed class StoreUnreachableException(string message, Exception inner) : IOException(message, inner)
{
    /// <summary>The <see cref="StoreUnreachableException"/> in <paramref name="e"/> or its inner exceptions, if any.</summary>
    public static StoreUnreachableException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is StoreUnreachableException unreachable) return unreachable;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find).FirstOrDefault(f => f is not null) is { } inner) return inner;
        }
        return null;
    }
}
