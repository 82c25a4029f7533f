namespace Atlas.Core.Imaging;

/// <summary>Opens a picture file for decoding, refusing one with no bytes (<see cref="FileContent"/>): none is a picture.</summary>
public static class PictureFile
{
    /// <exception cref="InvalidDataException">The file has no bytes: empty, or not a regular file.</exception>
    public static FileStream OpenRead(string path) =>
        FileContent.IsEmptyOrSpecial(path)
            ? throw new InvalidDataException("empty file, or not a regular file (a pipe or device)")
            : File.OpenRead(path);
}
