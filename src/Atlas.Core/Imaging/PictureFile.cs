namespace Atlas.Core.Imaging;

/// <summary>
/// Opens a picture file for decoding. A named pipe or a device given a picture's name would block the
/// open (a pipe waits for a writer forever) or stream without end; stat reports size 0 for both, as for an
/// empty file, so "no bytes" is refused before the open. None of them is a picture anyway.
/// </summary>
public static class PictureFile
{
    /// <exception cref="InvalidDataException">The file has no bytes: empty, or not a regular file.</exception>
    public static FileStream OpenRead(string path)
    {
        // FileInfo describes a link itself; its target is what the open reaches.
        var file = new FileInfo(path);
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) file = target;
        if (file.Length == 0) throw new InvalidDataException("empty file, or not a regular file (a pipe or device)");
        return File.OpenRead(path);
    }
}
