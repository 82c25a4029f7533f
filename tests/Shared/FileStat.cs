using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace Atlas.Tests.Shared;

/// <summary>
/// What `stat` says of a file: how a test tells a hard link from a copy, and a kept file from a rewritten one. Compiled
/// into each test project that needs it (they share no library).
/// </summary>
internal static class FileStat
{
    /// <summary>How many names the file has (%h): 2 when the site's file is a link to the store's.</summary>
    public static int LinkCount(string file) => int.Parse(Stat(file, "%h"), CultureInfo.InvariantCulture);

    /// <summary>The file's inode (%i): the same after a publish when the site kept the file rather than wrote it again.</summary>
    public static long Inode(string file) => long.Parse(Stat(file, "%i"), CultureInfo.InvariantCulture);

    private static string Stat(string file, string format)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", format, file]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        Assert.True(stat.ExitCode == 0, $"stat {file} failed");
        return output.Trim();
    }
}
