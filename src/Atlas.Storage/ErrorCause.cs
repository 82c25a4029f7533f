namespace Atlas.Storage;

/// <summary>The one line of an exception worth showing a user.</summary>
public static class ErrorCause
{
    /// <summary>
    /// The first line of the innermost cause. The Azure clients' retries wrap it in an aggregate whose own message
    /// repeats every attempt ("Retry failed after 6 tries … (Connection refused (host:port)) (Connection refused …"),
    /// so an aggregate gives its first inner exception's line instead.
    /// </summary>
    public static string Of(Exception e)
    {
        var cause = e.GetBaseException();
        if (cause is AggregateException { InnerExceptions.Count: > 0 } retries) cause = retries.InnerExceptions[0];
        return cause.Message.Split('\n')[0].Trim();
    }
}
