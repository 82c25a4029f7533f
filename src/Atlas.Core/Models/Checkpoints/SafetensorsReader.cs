using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header, then raw tensor bytes.
/// The header is checked against the file before any tensor is read (every tensor's byte range must lie
/// inside the data section, match its shape and dtype, and not overlap another), so a header that lies
/// about sizes or a truncated file is an error naming the tensor; TorchSharp.PyBridge then reads the data.
/// </summary>
internal static class SafetensorsReader
{
    private const long MaxHeaderBytes = 100L << 20;

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    /// <summary>True when the file starts like a safetensors file: a plausible header length followed by '{'.</summary>
    public static bool LooksLike(ReadOnlySpan<byte> head, long fileLength) =>
        head.Length >= 9 && BinaryPrimitives.ReadUInt64LittleEndian(head) is var n && n >= 2 && n <= (ulong)Math.Max(0, fileLength - 8) && head[8] == (byte)'{';

    public static IReadOnlyDictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        ValidateHeader(stream, path);
        stream.Position = 0;
        using var scope = NewDisposeScope();
        var tensors = Safetensors.LoadStateDict(stream, leaveOpen: true);
        return tensors.ToDictionary(p => p.Key, p => p.Value.DetachFromDisposeScope(), StringComparer.Ordinal);
    }

    /// <summary>Checks the header against the file; throws <see cref="AtlasInputException"/> naming the file and tensor.</summary>
    public static void ValidateHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8 || stream.Read(prefix) != 8) throw new AtlasInputException($"{path}: too short for a safetensors header ({fileLength} bytes)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw new AtlasInputException($"{path}: the safetensors header claims {headerLength} bytes but only {fileLength - 8} follow (truncated)");
        if (headerLength > MaxHeaderBytes) throw new AtlasInputException($"{path}: safetensors header of {headerLength} bytes is too large");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new AtlasInputException($"{path}: the safetensors header is not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new AtlasInputException($"{path}: the safetensors header is not a JSON object");
            var ranges = new List<(long Begin, long End, string Name)>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                ranges.Add(CheckEntry(entry, dataLength, path));
            }
            ranges.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            for (int i = 1; i < ranges.Count; i++)
            {
                if (ranges[i].Begin < ranges[i - 1].End)
                    throw new AtlasInputException($"{path}: the safetensors header lies: tensors '{ranges[i - 1].Name}' and '{ranges[i].Name}' overlap");
            }
        }
    }

    private static (long, long, string) CheckEntry(JsonProperty entry, long dataLength, string path)
    {
        var name = entry.Name;
        AtlasInputException Bad(string why) => new($"{path}: the safetensors header entry '{name}' {why}");
        var value = entry.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad("lacks dtype, shape or data_offsets");
        if (!ElementSizes.TryGetValue(dtype.GetString()!, out int elementSize))
            throw Bad($"has dtype {dtype.GetString()}, which is not supported (supported: {string.Join(", ", ElementSizes.Keys)})");
        long elements = 1;
        foreach (var dim in shape.EnumerateArray())
        {
            if (!dim.TryGetInt64(out long size) || size < 0) throw Bad("has a shape that is not a list of non-negative integers");
            elements = size == 0 ? 0 : elements > long.MaxValue / size ? throw Bad("has a shape too large to be real") : elements * size;
        }
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad("has data_offsets that are not an increasing pair of non-negative integers");
        if (end > dataLength)
            throw Bad($"ends at byte {end} of the data section, but the file holds only {dataLength} data bytes (truncated, or the header lies)");
        if (elements > long.MaxValue / elementSize || end - begin != elements * elementSize)
            throw Bad($"lies about its size: shape [{string.Join(", ", shape.EnumerateArray())}] of {dtype.GetString()} needs {elements * elementSize} bytes but its offsets span {end - begin}");
        return (begin, end, name);
    }
}
