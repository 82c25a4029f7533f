namespace Atlas.Cli.Tests;

/// <summary>The benchmark verbs that need no model run end to end and print their table; their figures are never asserted.</summary>
public class BenchVerbTests
{
    [Fact]
    public async Task Bench_decode_writes_synthetic_photos_decodes_them_and_cleans_up()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "atlas-bench-decode-*").ToHashSet();
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "decode", "--images", "12", "--size", "64");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("images/s", outcome.StdOut);
        Assert.Contains("decoded to 64×64", outcome.StdOut);
        foreach (var pass in new[] { "decode, floats (CPU)", "decode, bytes (GPU)", "decode, fill cache", "cache, floats (CPU)", "cache, bytes (GPU)" })
            Assert.Contains(pass, outcome.StdOut);
        var left = Directory.GetDirectories(Path.GetTempPath(), "atlas-bench-decode-*").Where(d => !before.Contains(d));
        Assert.Empty(left);
    }

    [Fact]
    public async Task Bench_store_writes_one_at_a_time_and_many_at_once()
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "store", "--objects", "12", "--bytes", "1000");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("local", outcome.StdOut);
        Assert.Contains("gain", outcome.StdOut);
    }

    [Fact]
    public async Task Bench_examples_scans_kept_synthetic_photos_and_fills_then_reads_a_pixel_cache()
    {
        var root = Directory.CreateTempSubdirectory("atlas-bench-photos-");
        try
        {
            string photos = Path.Combine(root.FullName, "photos"), pixels = Path.Combine(root.FullName, "pixels");
            var written = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "decode", "--images", "10", "--size", "28", "--keep-photos", photos);
            Assert.True(written.ExitCode == 0, written.ToString());
            Assert.Equal(10, Directory.GetFiles(photos, "*.jpg", SearchOption.AllDirectories).Length);
            for (int run = 0; run < 2; run++) // the first run fills the cache, the second reads it
            {
                var scanned = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "examples", "--model", "demo-cnn", "--folder", photos, "--pixel-cache", pixels, "--images", "50");
                Assert.True(scanned.ExitCode == 0, scanned.ToString());
                Assert.Contains("FIGURE top-9 pass of demo-cnn over photos, pixel cache", scanned.StdOut + scanned.StdErr);
                Assert.Contains(": 10 images,", scanned.StdOut + scanned.StdErr); // --images is capped at the folder's
                // The first run decodes the chunk once (in its warm-up pass) and reads it back after; the second only reads.
                Assert.Contains(run == 0 ? "PIXELCACHE 10 images decoded, 10 read back" : "PIXELCACHE 0 images decoded, 20 read back", scanned.StdOut + scanned.StdErr);
                Assert.Single(Directory.GetFiles(pixels, "chunk-*.u8", SearchOption.AllDirectories));
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("decode", "--images", "0", "--images: must be a positive number")]
    [InlineData("store", "--objects", "-1", "--objects: must be a positive number")]
    [InlineData("examples", "--batch", "0", "--batch: must be a positive number of images")]
    [InlineData("examples", "--pixel-cache", "x", "--pixel-cache: needs --folder")]
    [InlineData("examples", "--folder", "/nonexistent-atlas-folder", "--folder: '/nonexistent-atlas-folder' not found")]
    public async Task A_bad_count_is_one_line_and_exit_code_2(string verb, string option, string value, string expected)
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", verb, option, value);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal($"error: {expected}", outcome.StdErr.Trim());
    }
}
