using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

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

    /// <summary>
    /// The name of the extra file (torch.jit.save's <c>_extra_files</c>) in which scripts/export-torchscript.py lists the
    /// archive's early stops and linearized paths; the zip holds it as "&lt;top&gt;/extra/atlas.json".
    /// </summary>
    public const string ExtraFileName = "atlas.json";

    /// <summary>The archive's atlas.json parsed (the caller disposes it), or null when it has none; invalid JSON is an input error naming it.</summary>
    public static JsonDocument? AtlasJson(ZipArchive zip, string path)
    {
        var entry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/extra/" + ExtraFileName, StringComparison.Ordinal));
        if (entry is null) return null;
        try
        {
            using var stream = entry.Open();
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new AtlasInputException($"{path}: extra file {ExtraFileName}: not valid JSON ({e.Message})", e);
        }
    }

    private static bool IsCode(ZipArchiveEntry entry) => entry.FullName.Contains("/code/", StringComparison.Ordinal);

    private static string WithoutTopFolder(string name) => name.IndexOf('/') is var slash and >= 0 ? name[(slash + 1)..] : name;
}
