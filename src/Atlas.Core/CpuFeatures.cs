namespace Atlas.Core;

/// <summary>What the host CPU offers the CPU backend, as Linux reports it in /proc/cpuinfo.</summary>
public static class CpuFeatures
{
    /// <summary>
    /// The CPU's native bfloat16 instruction set (AVX512-BF16 or AMX-BF16), or null when it has none (or
    /// this is not Linux). Only with one does rendering in bfloat16 beat float32 on a CPU; without, oneDNN
    /// emulates it, slowly.
    /// </summary>
    public static string? NativeBfloat16(string cpuinfoPath = "/proc/cpuinfo")
    {
        if (!File.Exists(cpuinfoPath)) return null;
        var flags = File.ReadLines(cpuinfoPath).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        if (flags is null) return null;
        var set = flags[(flags.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return set.Contains("amx_bf16") ? "amx_bf16" : set.Contains("avx512_bf16") ? "avx512_bf16" : null;
    }
}
