using System.Diagnostics;

namespace Atlas.Cli.Tests;

/// <summary>The python3 with torch and torchvision that scripts/test.sh finds or installs (ATLAS_TEST_PYTHON).</summary>
internal static class PythonProcess
{
    private static string Python() =>
        Environment.GetEnvironmentVariable("ATLAS_TEST_PYTHON") is { Length: > 0 } python ? python
            : throw new InvalidOperationException("ATLAS_TEST_PYTHON is not set: run the tests with `bash scripts/test.sh`, which finds a python3 with torch or installs Debian's python3-torch");

    public static async Task<CliProcess.Outcome> RunAsync(string folder, params string[] args)
    {
        var start = new ProcessStartInfo(Python()) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cancel.Token);
        return new CliProcess.Outcome(process.ExitCode, await stdout, await stderr);
    }
}
