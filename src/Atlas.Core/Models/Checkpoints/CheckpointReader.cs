namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Reads a checkpoint file of any supported format, recognized by its content rather than its
/// extension (".pt" is used for both PyTorch and TorchSharp files). Nothing in the file is executed,
/// and every failure, whatever the library underneath throws, becomes one <see cref="AtlasInputException"/>
/// line naming the file.
/// </summary>
public static class CheckpointReader
{
    internal static ReadOnlySpan<byte> LegacyMagic => [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    public static CheckpointFormat Detect(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[16];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (read == 0) throw new AtlasInputException($"{path}: empty file, not a checkpoint");
        if (head.StartsWith("PK\u0003\u0004"u8)) return CheckpointFormat.PyTorchZip;
        // PyTorch before 1.6 wrote bare pickles that open with its magic number as a protocol-2 LONG1.
        if (head.StartsWith(LegacyMagic))
            throw new AtlasInputException($"{path}: legacy (pre-1.6, non-zip) PyTorch checkpoint; re-save it with torch.save(state_dict, path) from PyTorch 1.6 or later");
        if (SafetensorsReader.LooksLike(head, stream.Length)) return CheckpointFormat.Safetensors;
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new AtlasInputException($"{path}: not a safetensors file (the header length or the opening '{{' is wrong; truncated or corrupt)");
        return CheckpointFormat.TorchSharp;
    }

    /// <summary>
    /// The file's tensors; <paramref name="entry"/> names the top-level entry of a PyTorch training checkpoint that
    /// holds them (null: found, see <see cref="PyTorchZipReader"/>).
    /// </summary>
    public static CheckpointTensors Read(string path, string? entry = null)
    {
        if (Directory.Exists(path)) throw new AtlasInputException($"{path}: a folder, not a checkpoint file");
        if (!File.Exists(path)) throw new AtlasInputException($"{path}: checkpoint file not found");
        TorchRuntime.Initialize();
        CheckpointFormat format = CheckpointFormat.TorchSharp;
        try
        {
            format = Detect(path);
            return format switch
            {
                CheckpointFormat.PyTorchZip => PyTorchZipReader.Read(path, entry),
                _ when entry is not null => throw new AtlasInputException(
                    $"model.checkpointEntry: {path} is a {(format == CheckpointFormat.Safetensors ? "safetensors" : "TorchSharp")} file, which holds one state dict and no entries"),
                CheckpointFormat.Safetensors => new CheckpointTensors(path, format, SafetensorsReader.Read(path)),
                _ => new CheckpointTensors(path, format, TorchSharpFormatReader.Read(path)),
            };
        }
        catch (AtlasInputException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PyBridge and the pickle library throw not-implemented, argument-out-of-range,
            // invalid-data, pickle and invalid-cast exceptions …: none of them is for users.
            var kind = format switch
            {
                CheckpointFormat.PyTorchZip => "PyTorch",
                CheckpointFormat.Safetensors => "safetensors",
                _ => "TorchSharp",
            };
            throw new AtlasInputException($"{path}: not a readable {kind} checkpoint ({FirstLine(e)})", e);
        }
    }

    private static string FirstLine(Exception e)
    {
        var message = e.GetBaseException().Message.Split('\n')[0].Trim();
        return message.Length == 0 ? e.GetType().Name : message;
    }
}
