using System.Runtime.InteropServices;

namespace Atlas.Core.Data;

/// <summary>
/// The folders and files below one class folder, following links to folders as torchvision's ImageFolder
/// does (os.walk with followlinks). A link that leads back to a folder the walk is inside (or to the data
/// set's folder or any folder above it) would list the same pictures again and again until the path grew
/// too long, so it is refused, naming the link. Hidden folders are not entered.
/// </summary>
internal static class ClassFolderWalk
{
    /// <summary>Every folder below <paramref name="classFolder"/> (not itself) and every file in it and them.</summary>
    public static (List<string> Folders, List<string> Files) Of(string root, string classFolder)
    {
        var folders = new List<string>();
        var files = new List<string>();
        var inside = new List<string>();
        for (var above = new DirectoryInfo(RealPath(root)); above is not null; above = above.Parent) inside.Add(above.FullName);
        inside.Add(RealPath(classFolder));
        Walk(classFolder, inside, folders, files);
        return (folders, files);
    }

    private static void Walk(string folder, List<string> inside, List<string> folders, List<string> files)
    {
        files.AddRange(Directory.EnumerateFiles(folder));
        // Hidden folders (.cache, .ipynb_checkpoints, .thumbnails) hold tools' leftovers, not the class's pictures: skipped at
        // every depth, as hidden class folders and files are.
        foreach (var child in Directory.EnumerateDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            var real = new DirectoryInfo(child).LinkTarget is null ? Path.Combine(inside[^1], Path.GetFileName(child)) : RealPath(child);
            if (inside.Contains(real, StringComparer.Ordinal))
                throw new AtlasInputException($"dataset.path: '{child}' links back to '{real}', a folder it lies in, so its pictures would be listed without end; remove the link");
            folders.Add(child);
            inside.Add(real);
            Walk(child, inside, folders, files);
            inside.RemoveAt(inside.Count - 1);
        }
    }

    /// <summary>The folder's path with every link on it resolved by the kernel, as the kernel itself walks it.</summary>
    private static string RealPath(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return Path.GetFullPath(path); // gone meanwhile: the listing's own reads will say so
        try
        {
            return Marshal.PtrToStringUTF8(resolved)!;
        }
        finally
        {
            free(resolved);
        }
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern IntPtr realpath(string path, IntPtr resolved);

    [DllImport("libc")]
    private static extern void free(IntPtr pointer);
}
