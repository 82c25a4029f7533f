using System.Diagnostics;

namespace Atlas.Cli.Tests;

/// <summary>Runs the real `atlas` program (atlas.dll beside the tests) as a child process.</summary>
public static class CliProcess
{
    public sealed record Outcome(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

    public static Task<Outcome> RunAsync(TimeSpan timeout, params string[] args) => RunAsync(timeout, new Dictionary<string, string>(), args);

    public static Task<Outcome> RunAsync(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunUnderAsync(timeout, environment, [], args);

    /// <summary>Runs the program under <paramref name="launcher"/> (a command line that ends by running the arguments it is given, e.g. unshare … sh -c '… exec "$@"' sh).</summary>
    public static async Task<Outcome> RunUnderAsync(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> launcher, params string[] args)
    {
        using var process = Start(environment, launcher, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"atlas {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the program without waiting for it, for tests that interrupt it; its output is redirected (read or ignore it).</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(environment, [], args);

    private static Process Start(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> launcher, string[] args)
    {
        var start = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var part in launcher.Skip(1)) start.ArgumentList.Add(part);
        if (launcher.Count > 0) start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "atlas.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }
}
