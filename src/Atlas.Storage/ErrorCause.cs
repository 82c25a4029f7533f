namespace Atlas.Storage;

/// <summary>The one line of an exception worth showing a user.</summary>
public static class ErrorCause
{
    private const string Unspecific = "Service request failed.";

    /// <summary>
    /// The first line of the innermost cause. The Azure clients' retries wrap it in an aggregate whose own message
    /// repeats every attempt ("Retry failed after 6 tries … (Connection refused (host:port)) (Connection refused …"),
    /// so an aggregate gives its first inner exception's line instead. A service's refusal whose first line says
    /// nothing (the table client's "Service request failed.") gives its status line instead, which says why.
    /// </summary>
    public static string Of(Exception e)
    {
        var cause = e.GetBaseException();
        if (cause is AggregateException { InnerExceptions.Count: > 0 } retries) cause = retries.InnerExceptions[0];
        var lines = cause.Message.Split('\n').Select(l => l.Trim()).ToList();
        if (lines[0] == Unspecific && lines.FirstOrDefault(l => l.StartsWith("Status: ", StringComparison.Ordinal)) is { } status)
        {
            var code = lines.FirstOrDefault(l => l.StartsWith("ErrorCode: ", StringComparison.Ordinal));
            return $"status {status["Status: ".Length..]}{(code is null ? "" : $", {code["ErrorCode: ".Length..]}")}";
        }
        return lines[0];
    }
}
