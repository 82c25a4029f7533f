using System.IO.Compression;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// Tells a TorchScript archive (<c>torch.jit.save</c>) from a state dict (<c>torch.save</c>): both are zips of
/// "&lt;name&gt;/data.pkl" and tensor files, but only TorchScript keeps compiled code under "&lt;name&gt;/code/".
/// </summary>
public static class TorchScriptArchive
{
    public static bool HasCode(ZipArchive archive) => archive.Entries.Any(e => e.FullName.Contains("/code/", StringComparison.Ordinal));
}
