namespace Atlas.Core;

/// <summary>
/// The one line of a libtorch error worth showing a user. Most errors say what went wrong on their first line,
/// with a C++ backtrace after it; errors raised inside a TorchScript module open with "The following operation
/// failed in the TorchScript interpreter." and a TorchScript traceback, and put the cause ("RuntimeError: …") last.
/// </summary>
public static class TorchErrors
{
    private const string InterpreterPreamble = "The following operation failed in the TorchScript interpreter";

    public static string Summary(Exception e)
    {
        var lines = e.GetBaseException().Message.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) return e.GetType().Name;
        if (!lines[0].StartsWith(InterpreterPreamble, StringComparison.Ordinal)) return lines[0];
        return lines.LastOrDefault(l => l.Contains("Error: ", StringComparison.Ordinal)) ?? lines[0];
    }
}
