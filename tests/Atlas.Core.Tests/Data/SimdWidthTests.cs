using System.Numerics;
using System.Runtime.Intrinsics;

namespace Atlas.Core.Tests.Data;

/// <summary>
/// The pixel code (resampler, byte widening) has vector paths and scalar fallbacks. scripts/test.sh runs
/// the pixel tests again with the runtime's SIMD switched off and with 128-bit vectors (what an ARM64 host
/// gets), so the fallbacks and the narrower lanes are checked against Pillow's output on this machine too.
/// This test proves that such a run really got the width it asked for: a mistyped variable would
/// otherwise re-run the 256-bit path and pass without checking anything new.
/// </summary>
public class SimdWidthTests
{
    /// <summary>Set by scripts/test.sh for a variant run: the vector width in bits it asked for, 0 for none.</summary>
    public const string ExpectedBitsVariable = "ATLAS_TEST_EXPECT_VECTOR_BITS";

    [Fact]
    public void The_process_runs_with_the_vector_width_it_was_started_for()
    {
        int actual = Vector.IsHardwareAccelerated ? Vector<byte>.Count * 8 : 0;
        int expected = Environment.GetEnvironmentVariable(ExpectedBitsVariable) is { Length: > 0 } text
            ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : DefaultBits();
        Assert.Equal(expected, actual);
        // The horizontal resampler pass uses Vector128 directly: it must be off exactly when all SIMD is.
        Assert.Equal(expected != 0, Vector128.IsHardwareAccelerated);
    }

    /// <summary>Vector&lt;T&gt;'s width when nothing is configured: 256 bits where AVX2 exists (even with AVX-512), else 128.</summary>
    private static int DefaultBits() =>
        Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
}
