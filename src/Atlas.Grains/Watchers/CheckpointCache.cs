using System.Security.Cryptography;
using Atlas.Storage;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Local copies of watched checkpoints, content-addressed: {root}/{sha256}/{file name}. A job's config
/// names such a path; the preparing silo writes it, and any other worker that lacks it fetches the same
/// bytes from the version's copy in the artifact store (<see cref="WatchKeys.Checkpoint"/>). Jobs never
/// read the source itself, which may be renamed, overwritten or deleted while they run.
/// </summary>
public static class CheckpointCache
{
    public const string RootVariable = "ATLAS_CHECKPOINT_CACHE";

    public static string Root => Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } root
        ? Path.GetFullPath(root)
        : Path.Combine(Path.GetTempPath(), "atlas-checkpoints");

    public static string LocalPath(string sha256, string fileName) => Path.Combine(Root, sha256, fileName);

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> while hashing it; the file appears only if its hash is <paramref name="sha256"/>.</summary>
    public static async Task WriteVerifiedAsync(Stream content, string path, string sha256, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = File.Create(temp))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != sha256)
                throw new IOException($"checkpoint content changed while it was copied (expected sha256 {sha256[..12]}, got {actual[..12]})");
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Makes sure the checkpoint a watched job names exists on this machine, fetching it from the
    /// version's copy in the store. False when it is missing and the store has no copy either.
    /// </summary>
    public static async Task<bool> EnsureLocalAsync(IArtifactStore store, WatchKeys keys, string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path)) return true;
        var fileName = Path.GetFileName(path);
        var sha256 = Path.GetFileName(Path.GetDirectoryName(path)) ?? "";
        if (sha256.Length != 64 || !sha256.StartsWith(keys.Version, StringComparison.Ordinal)) return false;
        var bytes = await store.GetAsync(keys.Checkpoint(fileName), cancellationToken);
        if (bytes is null) return false;
        await WriteVerifiedAsync(new MemoryStream(bytes), path, sha256, cancellationToken);
        if (await store.GetAsync(keys.CheckpointSideFile(fileName), cancellationToken) is { } side)
            await File.WriteAllBytesAsync(path + ".json", side, cancellationToken);
        return true;
    }
}
