using Microsoft.Playwright;

namespace Atlas.Site.Tests.Browser;

/// <summary>
/// Debian's Chromium, driven by Playwright through its executable path: a browser is never
/// downloaded. scripts/test.sh installs it and sets ATLAS_TEST_CHROMIUM; when it is missing the
/// browser tests fail saying so, rather than skip and pass unnoticed.
/// </summary>
internal static class Chromium
{
    public const string DefaultPath = "/usr/bin/chromium";

    public static string ExecutablePath()
    {
        var path = Environment.GetEnvironmentVariable("ATLAS_TEST_CHROMIUM") is { Length: > 0 } set ? set : DefaultPath;
        if (!File.Exists(path))
            throw new InvalidOperationException(
                $"Chromium is not at '{path}', and the site's browser tests need it. Run the tests with `bash scripts/test.sh` " +
                "(it installs Debian's chromium with apt-get), or `apt-get install -y chromium`, or set ATLAS_TEST_CHROMIUM to a Chromium binary.");
        return path;
    }

    public static BrowserTypeLaunchOptions LaunchOptions() => new()
    {
        ExecutablePath = ExecutablePath(),
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    };
}
