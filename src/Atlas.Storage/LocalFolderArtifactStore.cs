namespace Atlas.Storage;

/// <summary>
/// An artifact store over a folder: each key is a file at the same relative path. Used for local
/// runs, tests, and publishing a site that opens straight from disk.
/// </summary>
public sealed class LocalFolderArtifactStore : IArtifactStore
{
    // Temporary files carry this marker so a listing never reports a half-written object,
    // even one left behind by a crashed writer. Keys cannot contain '~' (ArtifactKey forbids it).
    private const string TempMarker = ".~tmp-";

    private readonly string _root;

    public LocalFolderArtifactStore(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("local artifact folder path is empty");
        // The folder is created by the first write, not here: opening a mistyped path to read from
        // must not leave an empty store folder behind.
        _root = Path.GetFullPath(folder);
    }

    /// <summary>The absolute folder the store writes into.</summary>
    public string Root => _root;

    public string Description => $"folder {_root}";

    /// <summary>Writes replace a file by a rename and never rewrite it in place, so a hard link to it keeps the content it
    /// had when linked (the site links its images).</summary>
    public string? LocalFile(string key) => PathOf(key);

    /// <summary>None: a folder keeps no hash beside its files, and a site links them rather than asking.</summary>
    public Task<IReadOnlyDictionary<string, byte[]>?> ContentHashesAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArtifactKey.ValidatePrefix(prefix);
        return Task.FromResult<IReadOnlyDictionary<string, byte[]>?>(null);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        // Write beside the target and rename over it: a rename within one folder is atomic, so a
        // reader sees either the old file or the new one, never a partial write.
        var temp = TempBeside(path);
        try
        {
            await using (var stream = CreateTemp(folder, temp))
            {
                await stream.WriteAsync(content, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e) when (StoreFullException.IsOutOfSpace(e))
        {
            TryDelete(temp);
            throw new StoreFullException($"the store {Description} is out of space ({e.Message})", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// A hard link where the file system allows (no second copy on disk: retention deleting the older version leaves
    /// this one its own name), made under a temporary name and renamed into place like any write; else a copy.
    /// </summary>
    public async Task<bool> CopyAsync(string fromKey, string toKey, string contentType, CancellationToken cancellationToken = default)
    {
        var source = PathOf(fromKey);
        var path = PathOf(toKey);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = TempBeside(path);
        if (HardLink.TryCreate(source, temp))
        {
            try
            {
                File.Move(temp, path, overwrite: true);
                return true;
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }
        return await IArtifactStore.CopyThroughAsync(this, fromKey, toKey, contentType, cancellationToken);
    }

    /// <summary>
    /// The temporary file, in a folder made if missing. A deletion elsewhere may remove a folder it found empty
    /// just after this one was made (<see cref="RemoveEmptyFolders"/>): then it is made again.
    /// </summary>
    private static FileStream CreateTemp(string folder, string temp)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                Directory.CreateDirectory(folder);
            }
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(key)));

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // Validate at the call, not at the first MoveNext, so a bad prefix fails where it is passed.
        ArtifactKey.ValidatePrefix(prefix);
        return ListKeys(prefix, cancellationToken).ToAsyncEnumerable();
    }

    private IEnumerable<string> ListKeys(string prefix, CancellationToken cancellationToken)
    {
        // Only walk the deepest folder the prefix names; the rest of the prefix filters file names.
        var folderPart = prefix.Contains('/') ? prefix[..prefix.LastIndexOf('/')] : "";
        var start = folderPart.Length == 0 ? _root : Path.Combine(_root, folderPart.Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start)) yield break;

        var keys = new List<string>();
        foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Contains(TempMarker, StringComparison.Ordinal)) continue;
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            // Files put there by hand with names no key can have are not artifacts; skip them
            // rather than hand callers a key that Get would reject.
            if (key.StartsWith(prefix, StringComparison.Ordinal) && IsValidKey(key)) keys.Add(key);
        }
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys) yield return key;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        // File.Delete is silent for a missing file but throws when the folder is missing.
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.CompletedTask;
        File.Delete(path);
        RemoveEmptyFolders(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Removes the folders a deletion left empty, up to the store's root, as a blob store has no folders to
    /// leave: a deleted version must not stay behind as a tree of empty folders. A folder another writer fills
    /// meanwhile is not empty, and is kept.
    /// </summary>
    private void RemoveEmptyFolders(string folder)
    {
        for (var at = folder; at.Length > _root.Length && at.StartsWith(_root, StringComparison.Ordinal); at = Path.GetDirectoryName(at)!)
        {
            try
            {
                if (!Directory.Exists(at) || Directory.EnumerateFileSystemEntries(at).Any()) return;
                Directory.Delete(at);
            }
            catch (IOException)
            {
                return; // filled again between the look and the delete: it stays
            }
        }
    }

    /// <summary>A fresh temporary name in the folder of <paramref name="path"/>, which listings never report.</summary>
    private static string TempBeside(string path) => $"{path}{TempMarker}{Guid.NewGuid():N}";

    private string PathOf(string key) =>
        Path.Combine(_root, ArtifactKey.Validate(key).Replace('/', Path.DirectorySeparatorChar));

    private static bool IsValidKey(string key)
    {
        try { ArtifactKey.Validate(key); return true; }
        catch (ArgumentException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
