using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// Tells a TorchScript archive (<c>torch.jit.save</c>) from a state dict (<c>torch.save</c>): both are zips of
/// "&lt;name&gt;/data.pkl" and tensor files, but only TorchScript keeps compiled code under "&lt;name&gt;/code/".
/// </summary>
public static class TorchScriptArchive
{
    public static bool HasCode(ZipArchive archive) => archive.Entries.Any(IsCode);

    /// <summary>
    /// SHA-256 of the archive's compiled code and constants: what, besides the weights, decides what its layers compute.
    /// Debug tables (source positions) are left out, so re-exporting unchanged code gives the same digest.
    /// </summary>
    public static string CodeDigest(ZipArchive zip)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Names without the archive's top folder, which torch.jit.save takes from the file name.
        foreach (var entry in zip.Entries.Where(e => (IsCode(e) || e.Name == "constants.pkl") && !e.Name.EndsWith(".debug_pkl", StringComparison.Ordinal))
                     .OrderBy(e => WithoutTopFolder(e.FullName), StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{WithoutTopFolder(entry.FullName)}:{entry.Length}:"));
            using var content = entry.Open();
            var buffer = new byte[entry.Length];
            content.ReadExactly(buffer);
            hash.AppendData(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static bool IsCode(ZipArchiveEntry entry) => entry.FullName.Contains("/code/", StringComparison.Ordinal);

    private static string WithoutTopFolder(string name) => name.IndexOf('/') is var slash and >= 0 ? name[(slash + 1)..] : name;
}
