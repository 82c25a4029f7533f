using System.Runtime.InteropServices;

namespace Atlas.Storage;

/// <summary>
/// A second name for an existing file (link(2)), where the file system offers one: a copy that costs neither time nor
/// space. A local folder store's files are replaced by renames and never rewritten, so a link keeps the bytes it was
/// made with whatever the store does later: the store links an object it copies to another version, and the site the
/// images it shows.
/// </summary>
public static class HardLink
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
    [DllImport("libc", EntryPoint = "link", CharSet = CharSet.Ansi)]
    private static extern int LinkFile(string existing, string link);
}
