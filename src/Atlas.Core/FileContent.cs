namespace Atlas.Core;

/// <summary>
/// What an open of a path reaches. FileInfo describes a link itself (its size is its target's name's length, its
/// time when it was made), so a file reached through a link must be looked at through its target. And stat reports
/// size 0 for a named pipe or a device as for an empty file, while opening a pipe waits for a writer forever; so
/// "no bytes" is checked before an input file is opened.
/// </summary>
public static class FileContent
{
    /// <summary>The file itself, or a link's final target (one that does not exist for a broken link; null for a link to a folder).</summary>
    public static FileInfo? Target(FileInfo file) =>
        file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;

    public static bool IsEmptyOrSpecial(string path) => Target(new FileInfo(path)) is { Exists: true, Length: 0 };
}
