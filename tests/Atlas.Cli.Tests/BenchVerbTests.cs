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

    [Theory]
    [InlineData("decode", "--images", "0", "--images: must be a positive number")]
    [InlineData("store", "--objects", "-1", "--objects: must be a positive number")]
    [InlineData("examples", "--batch", "0", "--batch: must be a positive number of images")]
    public async Task A_bad_count_is_one_line_and_exit_code_2(string verb, string option, string value, string expected)
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", verb, option, value);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal($"error: {expected}", outcome.StdErr.Trim());
    }
}
