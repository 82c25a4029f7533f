using Spectre.Console;

namespace Atlas.Cli.Console;

/// <summary>
/// How wide standard output is taken to be when it is not a terminal (a pipe, a file, a CI log). Spectre then assumes
/// 80 columns and wraps to them: a site's address went to a line of its own after a trailing space, doctor's library
/// path was split over three rows, and the status and bench tables cut their headers and values ("Comple" / "ted").
/// A reader of redirected output (grep, a script, a log viewer) wants each line whole, so there it is as wide as its text.
/// </summary>
public static class OutputWidth
{
    /// <summary>Wider than any line the verbs print; a bound rather than int.MaxValue, which Spectre's layout arithmetic is not meant for.</summary>
    public const int Redirected = 4096;

    /// <summary>Widens <paramref name="console"/> when standard output is redirected; a terminal keeps its own width.</summary>
    public static IAnsiConsole Fit(IAnsiConsole console)
    {
        if (System.Console.IsOutputRedirected) console.Profile.Width = Redirected;
        return console;
    }
}
