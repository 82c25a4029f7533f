namespace Atlas.Core;

/// <summary>
/// Whether a file has bytes to read. stat reports size 0 for a named pipe or a device as for an empty file,
/// and opening a pipe waits for a writer forever; so "no bytes" is checked before an input file is opened.
/// </summary>
public static class FileContent
{
    public static bool IsEmptyOrSpecial(string path)
    {
        // FileInfo describes a link itself; its target is what an open reaches.
        var file = new FileInfo(path);
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) file = target;
        return file.Length == 0;
    }
}
