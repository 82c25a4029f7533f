using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Tells whether a checkpoint file has been written to its end, from its structure alone: torch.save,
/// safetensors' save_file and TorchSharp's module.save all write straight into the file they are
/// given, so a folder that is watched while a trainer saves shows a file that grows for a while. Each
/// format says where it ends: a zip (PyTorch, TorchScript, Lightning's .ckpt) closes with its
/// end-of-central-directory record, a safetensors file is as long as its header's last byte range,
/// and TorchSharp's format is as long as its entries. A file that is merely corrupt is not called
/// unfinished unless it looks cut short; the loader gives its own reason for the rest.
/// </summary>
public static class CheckpointCompleteness
{
    private const int ZipEndRecordLength = 22;
    private const int ZipLongestComment = ushort.MaxValue;
    private const long MaxSafetensorsHeader = 100L << 20;
    // A tensor bigger than this (1 TiB) is nonsense, not a save in progress; it also keeps products from overflowing.
    private const long MaxTensorBytes = 1L << 40;

    /// <summary>Why <paramref name="stream"/> (seekable) looks cut short, or null when it looks whole or its format cannot tell.</summary>
    public static string? Unfinished(Stream stream)
    {
        if (!stream.CanSeek) throw new ArgumentException("the completeness check seeks; open the checkpoint seekable", nameof(stream));
        long length = stream.Length;
        if (length == 0) return "the file is empty";
        var head = new byte[Math.Min(length, 16)];
        stream.Position = 0;
        stream.ReadExactly(head);
        if (head.AsSpan().StartsWith("PK\u0003\u0004"u8)) return ZipUnfinished(stream, length);
        if (head.AsSpan().StartsWith(CheckpointReader.LegacyMagic)) return null; // refused by the loader, whole or not
        if (head.Length > 8 && head[8] == (byte)'{') return SafetensorsUnfinished(stream, head, length);
        return TorchSharpUnfinished(stream, length);
    }

    private static string? ZipUnfinished(Stream stream, long length)
    {
        int tailLength = (int)Math.Min(length, ZipEndRecordLength + ZipLongestComment);
        var tail = new byte[tailLength];
        stream.Position = length - tailLength;
        stream.ReadExactly(tail);
        // The record may be followed only by its own comment, so it is the one whose comment ends the file.
        for (int at = tailLength - ZipEndRecordLength; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at)) != 0x06054b50) continue;
            int comment = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 20));
            if (at + ZipEndRecordLength + comment != tailLength) continue;
            return null;
        }
        return "a zip whose end record is not written yet";
    }

    private static string? SafetensorsUnfinished(Stream stream, byte[] head, long length)
    {
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head);
        if (headerLength < 2 || headerLength > MaxSafetensorsHeader) return null;
        if (8 + (long)headerLength > length) return $"a safetensors header of {headerLength} bytes with {length - 8} written";
        var header = new byte[headerLength];
        stream.Position = 8;
        stream.ReadExactly(header);
        long end;
        try
        {
            using var document = JsonDocument.Parse(header);
            end = DataEnd(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null; // a header that does not parse is corrupt, not unfinished: the loader says why
        }
        long expected = 8 + (long)headerLength + end;
        return length < expected ? $"a safetensors file of {expected} bytes with {length} written" : null;
    }

    /// <summary>The end of the last byte range the header names (data_offsets are relative to the data section).</summary>
    private static long DataEnd(JsonElement root)
    {
        long end = 0;
        foreach (var entry in root.EnumerateObject())
        {
            if (entry.Name == "__metadata__" || entry.Value.ValueKind != JsonValueKind.Object) continue;
            if (!entry.Value.TryGetProperty("data_offsets", out var offsets) || offsets.GetArrayLength() != 2) continue;
            end = Math.Max(end, offsets[1].GetInt64());
        }
        return end;
    }

    /// <summary>
    /// Walks TorchSharp's entries (count, then key, dtype, shape and bytes each) without reading the
    /// data. Bytes that are no checkpoint would often run out too, so the file must first show a whole,
    /// sensible entry header (a UTF-8 key, a tensor's dtype and rank); running out after that is
    /// unfinished, and nonsense anywhere stops the walk for the loader to report.
    /// </summary>
    private static string? TorchSharpUnfinished(Stream stream, long length)
    {
        stream.Position = 0;
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        bool sawHeader = false;
        long count = 0, entry = 0;
        try
        {
            count = Leb128(reader);
            if (count is < 1 or > 1_000_000) return null;
            for (; entry < count; entry++)
            {
                if (!SensibleKey(reader)) return null;
                int elementSize = ElementSize(Leb128(reader));
                long rank = Leb128(reader);
                if (elementSize == 0 || rank is < 0 or > 16) return null;
                long bytes = elementSize;
                for (long d = 0; d < rank; d++)
                {
                    long size = Leb128(reader);
                    if (size is < 0 or > MaxTensorBytes) return null;
                    bytes = size == 0 || bytes == 0 ? 0 : bytes * size;
                    if (bytes > MaxTensorBytes) return null;
                }
                sawHeader = true;
                if (bytes > length - stream.Position) throw new EndOfStreamException();
                stream.Position += bytes;
            }
            return null;
        }
        catch (EndOfStreamException)
        {
            return sawHeader ? $"a TorchSharp checkpoint whose entry {entry + 1} of {count} is cut short" : null;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a key as BinaryWriter writes strings (7-bit length, UTF-8): short, valid and without control characters.</summary>
    private static bool SensibleKey(BinaryReader reader)
    {
        long length = Leb128(reader);
        if (length is < 1 or > 4096) return false;
        var bytes = reader.ReadBytes((int)length);
        if (bytes.Length < length) throw new EndOfStreamException();
        return !StrictUtf8.GetString(bytes).Any(char.IsControl);
    }

    /// <summary>The element size of a dtype code TorchSharp writes; 0 for a code no checkpoint tensor has.</summary>
    private static int ElementSize(long code) =>
        code is >= 0 and <= 64 && TorchSharpFormatReader.ElementSizes.TryGetValue((TorchSharp.torch.ScalarType)code, out int size) ? size : 0;

    private static long Leb128(BinaryReader reader)
    {
        long result = 0;
        for (int shift = 0; shift < 63; shift += 7)
        {
            byte b = reader.ReadByte();
            result |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("a LEB128 number longer than 63 bits");
    }
}
