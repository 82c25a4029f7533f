using System.Diagnostics;

namespace Atlas.Cli.Tests;

/// <summary>`atlas serve DIR` as a user runs it: it says where the site is, serves until SIGTERM (or Ctrl+C), and stops cleanly.</summary>
public class ServeCommandTests
{
    [Fact]
    public async Task Serve_says_where_the_site_is_once_and_stops_on_sigterm()
    {
        var site = TestData.NewTempFolder("serve");
        await File.WriteAllTextAsync(Path.Combine(site, "index.html"), "<!doctype html><title>t</title>");
        using var process = CliProcess.Start(new Dictionary<string, string>(), "serve", site, "--port", "0");
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.StartsWith($"Serving {site} at http://127.0.0.1:", first);
            using (var terminate = Process.Start("kill", ["-TERM", process.Id.ToString()])) await terminate.WaitForExitAsync();
            var rest = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{first}\n{rest}\n{await stderr}");
            Assert.Equal("Stopped.", rest.Trim());
            // Standard output's line is the verb's message at every verbosity: the log does not repeat it at the normal level.
            Assert.Equal("", (await stderr).Trim());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
