using System.Runtime.InteropServices;

namespace Atlas.Site.Output;

/// <summary>
/// A second name for an existing file (link(2)), where the file system offers one: an image the site shows from a local
/// store then costs neither a copy's time nor its space. Store files are replaced by renames, never rewritten, so the
/// site keeps the bytes it was published with whatever the store does later.
/// </summary>
internal static class HardLink
{
    /// <summary>True when <paramref name="link"/> now names <paramref name="existing"/>; false where links cannot be made
    /// (another file system, one without hard links, Windows), and the caller copies instead.</summary>
    public static bool TryCreate(string existing, string link)
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            return LinkFile(existing, link) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // CharSet.Ansi marshals as UTF-8 on Linux and macOS, which is how their file names are passed.
    [DllImport("libc", EntryPoint = "link", CharSet = CharSet.Ansi, SetLastError = true)]
    private static extern int LinkFile(string existing, string link);
}
