// MSBuild inline task (compiled by RoslynCodeTaskFactory): see TorchNativeFix.targets for why.
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchLibTorchSharpGlibcxx : Task
{
    [Required] public string Directory { get; set; }

    const string Wanted = "GLIBCXX_3.4.32";
    const string Replacement = "GLIBCXX_3.4.30";
    const uint ShtGnuVerneed = 0x6ffffffe;

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var libraries = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (libraries.Length == 0) return true;
        if (SystemLibstdcxxHas(Wanted))
        {
            Log.LogMessage(MessageImportance.Low, "libstdc++ provides " + Wanted + "; libLibTorchSharp.so left as shipped.");
            return true;
        }
        foreach (var path in libraries)
        {
            try
            {
                int rewritten = Rewrite(path);
                if (rewritten > 0)
                    Log.LogMessage(MessageImportance.High, "Rewrote " + Wanted + " -> " + Replacement + " in " + path);
            }
            catch (Exception e)
            {
                Log.LogWarning("Could not patch " + path + ": " + e.Message);
            }
        }
        return true;
    }

    static bool SystemLibstdcxxHas(string version)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };
        var existing = candidates.FirstOrDefault(File.Exists);
        if (existing == null) return true; // unknown system: do not touch anything
        return IndexOf(File.ReadAllBytes(existing), Encoding.ASCII.GetBytes(version + "\0"), 0, -1) >= 0;
    }

    // Returns how many version requirements were rewritten (0 when already patched).
    static int Rewrite(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
            return 0; // not a little-endian ELF64 file
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int rewritten = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long verneedOffset = BitConverter.ToInt64(elf, (int)sh + 0x18);
            int strtabIndex = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int verneedCount = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strSh = shoff + (long)strtabIndex * shentsize;
            int strOffset = (int)BitConverter.ToInt64(elf, (int)strSh + 0x18);
            int strSize = (int)BitConverter.ToInt64(elf, (int)strSh + 0x20);

            int replacementName = IndexOf(elf, Encoding.ASCII.GetBytes(Replacement + "\0"), strOffset, strOffset + strSize);
            if (replacementName < 0) throw new InvalidDataException(Replacement + " not in the dynamic string table");

            long vn = verneedOffset;
            for (int n = 0; n < verneedCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    int nameOffset = (int)BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadString(elf, strOffset + nameOffset) == Wanted)
                    {
                        WriteUInt32(elf, (int)aux, ElfHash(Replacement));
                        WriteUInt32(elf, (int)aux + 8, (uint)(replacementName - strOffset));
                        rewritten++;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(elf, (int)vn + 12);
            }
        }
        if (rewritten > 0)
        {
            // Write beside and rename, so a crash never leaves a half-written library.
            string temp = path + ".patching";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, path, null);
        }
        return rewritten;
    }

    static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    static string ReadString(byte[] data, int offset)
    {
        int end = offset;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, offset, end - offset);
    }

    static void WriteUInt32(byte[] data, int offset, uint value) => BitConverter.GetBytes(value).CopyTo(data, offset);

    static int IndexOf(byte[] haystack, byte[] needle, int start, int end)
    {
        if (end < 0) end = haystack.Length;
        for (int i = start; i <= end - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
