using System.Text;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// TorchSharp's own <c>module.save</c> format: a LEB128 entry count, then per entry a length-prefixed
/// key, the dtype and shape as LEB128 numbers, and the raw bytes. Read here rather than with
/// <c>module.load</c> so that every size is checked against the file before memory is allocated, any
/// dtype can be upcast, and missing keys are reported like the other formats.
/// </summary>
internal static class TorchSharpFormatReader
{
    private const long MaxEntries = 1_000_000;
    private const int MaxRank = 16;

    internal static readonly IReadOnlyDictionary<ScalarType, int> ElementSizes = new Dictionary<ScalarType, int>()
    {
        [ScalarType.Byte] = 1, [ScalarType.Int8] = 1, [ScalarType.Int16] = 2, [ScalarType.Int32] = 4, [ScalarType.Int64] = 8,
        [ScalarType.Float16] = 2, [ScalarType.BFloat16] = 2, [ScalarType.Float32] = 4, [ScalarType.Float64] = 8, [ScalarType.Bool] = 1,
    };

    public static IReadOnlyDictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            long count = Leb128(reader, path);
            if (count < 0 || count > MaxEntries) throw Bad(path, $"it claims {count} entries");
            for (long i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                var type = (ScalarType)Leb128(reader, path);
                if (!ElementSizes.TryGetValue(type, out int elementSize)) throw Bad(path, $"its entry {Entry(key, i)} has an unsupported dtype code {(int)type}");
                long rank = Leb128(reader, path);
                if (rank < 0 || rank > MaxRank) throw Bad(path, $"its entry {Entry(key, i)} has rank {rank}");
                var shape = new long[rank];
                long bytes = elementSize;
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = Leb128(reader, path);
                    if (shape[d] < 0) throw Bad(path, $"its entry {Entry(key, i)} has a negative dimension");
                    bytes = shape[d] == 0 || bytes == 0 ? 0 : bytes > long.MaxValue / shape[d] ? long.MaxValue : bytes * shape[d];
                }
                if (bytes > stream.Length - stream.Position)
                    throw Bad(path, $"its entry {Entry(key, i)} needs {bytes} bytes but only {stream.Length - stream.Position} remain (truncated)");
                var tensor = empty(shape, type).DetachFromDisposeScope();
                tensors[key] = tensor;
                tensor.ReadBytesFromStream(stream);
            }
            if (stream.Position != stream.Length) throw Bad(path, $"it has {stream.Length - stream.Position} bytes after its last entry");
            return tensors;
        }
        catch (EndOfStreamException e)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new AtlasInputException($"{path}: truncated TorchSharp checkpoint (or not a checkpoint at all)", e);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    private static long Leb128(BinaryReader reader, string path)
    {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = reader.ReadByte();
            result |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw Bad(path, "it has a malformed number");
    }

    /// <summary>
    /// An entry's key as an error shows it: quoted where it is text, by its number where it is not. Any file is read as
    /// this format when it is none of the others, and its bytes read as a key would put control characters on the terminal.
    /// </summary>
    private static string Entry(string key, long index) =>
        key.Any(c => char.IsControl(c) || c == '\uFFFD' || char.IsSurrogate(c)) ? $"number {index + 1} (whose key is not text)"
        : key.Length > 60 ? $"'{key[..57]}…'"
        : $"'{key}'";

    private static AtlasInputException Bad(string path, string why) =>
        new($"{path}: not a PyTorch zip, safetensors or TorchSharp checkpoint (read as TorchSharp's format, {why})");
}
