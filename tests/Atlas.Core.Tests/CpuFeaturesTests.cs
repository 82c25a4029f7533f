namespace Atlas.Core.Tests;

public class CpuFeaturesTests
{
    private static string? Of(string flags)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: {flags}\nbugs\t\t: spectre_v1\n");
            return CpuFeatures.NativeBfloat16(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Native_bfloat16_is_read_from_the_cpu_flags()
    {
        Assert.Equal("avx512_bf16", Of("fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni"));
        Assert.Equal("amx_bf16", Of("avx512f avx512_bf16 amx_bf16 amx_tile"));
        Assert.Null(Of("fpu sse2 avx2 avx512f avx512_vnni"));
        Assert.Null(CpuFeatures.NativeBfloat16("/no/such/cpuinfo"));
    }
}
