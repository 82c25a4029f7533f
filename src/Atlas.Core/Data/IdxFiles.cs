using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Atlas.Core.Data;

/// <summary>
/// Finds the IDX files of a split under the names they are published with (Fashion-MNIST/MNIST's
/// "train-images-idx3-ubyte", MNIST's "t10k-…" for the test split, the "…images.idx3-ubyte" variant),
/// plain or gzipped. A .gz file is decompressed once into a plain file beside it (or, when that folder
/// is read-only, into a cache under the temp folder): <see cref="IdxDataset"/> reads any slice by
/// seeking, which gzip cannot do, and a decompressed MNIST is only 47 MB, so paying the inflate once
/// beats re-inflating from the start for every shard a worker reads.
/// </summary>
public static class IdxFiles
{
    public static string? Images(string folder, string split) => Find(folder, split, "images", 3);
    public static string? Labels(string folder, string split) => Find(folder, split, "labels", 1);

    private static string? Find(string folder, string split, string kind, int rank)
    {
        var prefixes = split == "test" ? new[] { "test", "t10k" } : [split];
        var names = prefixes.SelectMany(p => new[] { $"{p}-{kind}-idx{rank}-ubyte", $"{p}-{kind}.idx{rank}-ubyte" }).ToList();
        foreach (var name in names)
        {
            var plain = Path.Combine(folder, name);
            if (File.Exists(plain)) return plain;
        }
        foreach (var name in names)
        {
            var gz = Path.Combine(folder, name + ".gz");
            if (File.Exists(gz)) return Decompressed(gz);
        }
        return null;
    }

    /// <summary>The plain file for <paramref name="gzPath"/>, inflating it on first use.</summary>
    public static string Decompressed(string gzPath)
    {
        var beside = gzPath[..^".gz".Length];
        if (File.Exists(beside)) return beside;
        try
        {
            Inflate(gzPath, beside);
            return beside;
        }
        catch (Exception e) when (e is UnauthorizedAccessException || (e is IOException && !File.Exists(beside)))
        {
            // A read-only data folder: keep the copy in a cache keyed by the file's path, size and time.
            var info = new FileInfo(gzPath);
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}")))[..16];
            var cached = Path.Combine(Path.GetTempPath(), "atlas-idx-cache", key, Path.GetFileName(beside));
            if (!File.Exists(cached))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
                Inflate(gzPath, cached);
            }
            return cached;
        }
    }

    private static void Inflate(string gzPath, string destination)
    {
        // Write beside the target and rename, so a crash or a concurrent reader never sees half a file.
        var partial = $"{destination}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        try
        {
            using (var input = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress))
            using (var output = File.Create(partial))
            {
                try
                {
                    input.CopyTo(output);
                }
                catch (InvalidDataException e)
                {
                    throw new AtlasInputException($"{gzPath}: not a readable gzip file ({e.Message.Split('\n')[0]})", e);
                }
            }
            try
            {
                File.Move(partial, destination);
            }
            catch (IOException) when (File.Exists(destination))
            {
                // Another process inflated the same file first; theirs is identical.
            }
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }
}
