using System.Runtime.InteropServices;

namespace Atlas.Cli.Tests;

/// <summary>The benchmark verbs that need no trained model run end to end and print their table; their figures are never asserted.</summary>
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
    public async Task Bench_featurevis_renders_a_configs_own_network_a_TorchScript_archive()
    {
        var folder = TestData.NewTempFolder("bench-config");
        var config = Path.Combine(folder, "atlas.json");
        var checkpoint = System.Text.Json.JsonSerializer.Serialize(TestData.TorchScriptFixture("tiny-cnn.pt"));
        await File.WriteAllTextAsync(config, $$"""
            { "name": "bench-own", "model": { "architecture": "torchscript", "checkpoint": {{checkpoint}}, "inputSize": 32, "outputs": ["conv1", "conv2", "logits"] },
              "dataset": { "kind": "image-folder", "path": "images" } }
            """);

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "featurevis", "--config", config, "--layer", "conv2", "--units", "3", "--single", "1", "--steps", "2");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        // On auto, a TorchScript archive computes channels-last, as a zoo network does.
        Assert.Contains("FIGURE batched engine float32, channels-last: 3 channels", outcome.StdErr);
        Assert.Contains("FIGURE one channel at a time", outcome.StdErr);
        var sized = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "featurevis", "--config", config, "--size", "64");
        Assert.Equal(2, sized.ExitCode);
        Assert.Contains("error: --size: a --config model renders at its own model.inputSize", sized.StdErr);
    }

    [Fact]
    public async Task Bench_coordination_prints_its_table_without_the_job_grains_own_lines()
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "coordination", "--units", "20", "--workers", "2");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("units/s", outcome.StdOut);
        Assert.Contains("memory", outcome.StdOut);
        // Its jobs are the benchmark's instrument: at the normal level neither the in-process job grain's lines
        // ("Job bench/<guid> planned N units", "… Completed") nor the embedded silo's framework come through.
        Assert.DoesNotContain("Job bench/", outcome.StdErr);
        Assert.DoesNotContain("Orleans", outcome.StdErr);
    }

    [Fact]
    public async Task Bench_store_writes_one_at_a_time_and_many_at_once()
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "store", "--objects", "12", "--bytes", "1000");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("local", outcome.StdOut);
        Assert.Contains("gain", outcome.StdOut);
        Assert.Contains("reused: copy /s", outcome.StdOut);
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

    /// <summary>
    /// Values the fuzzing found crashing (libtorch's abort on --threads 0, a division by zero, "Sequence contains no elements"),
    /// hanging (--threads 10000), accepted (--steps 0, --images -1 printed negative images/s) or refused naming
    /// something else (a config field, .NET's "Parameter 'count'"). In the arguments, {file} is a regular file and
    /// {photos} an image folder.
    /// </summary>
    [Theory]
    [InlineData("--threads: must be between 1 and 1024", "featurevis", "--steps", "2", "--single", "0", "--units", "2", "--threads", "0")]
    [InlineData("--threads: must be between 1 and 1024", "featurevis", "--threads", "-1")]
    [InlineData("--threads: must be between 1 and 1024", "featurevis", "--threads", "10000")]
    [InlineData("--max-batch: must be a positive number of pictures", "featurevis", "--steps", "2", "--single", "0", "--units", "2", "--max-batch", "0")]
    [InlineData("--max-batch: must be a positive number of pictures", "featurevis", "--max-batch", "-1")]
    [InlineData("--steps: must be a positive number", "featurevis", "--steps", "0")]
    [InlineData("--units: must be a positive number of channels", "featurevis", "--units", "0")]
    [InlineData("--single: must be 0 (skips) or a positive number of channels", "featurevis", "--single", "-1")]
    [InlineData("--compare-precision: must be 0 (skips) or a positive number of channels", "featurevis", "--compare-precision", "-1")]
    [InlineData("--precision: 'float16' is not auto, float32 or bfloat16", "featurevis", "--precision", "float16")]
    [InlineData("--workers: must be between 1 and 256", "coordination", "--workers", "0", "--units", "10")]
    [InlineData("--workers: must be between 1 and 256", "coordination", "--workers", "-1", "--units", "10")]
    [InlineData("--workers: must be between 1 and 256", "coordination", "--workers", "1024", "--units", "10")]
    [InlineData("--units: must be a positive number", "coordination", "--units", "0")]
    [InlineData("--units: must be a positive number", "coordination", "--units", "-5")]
    [InlineData("--keep-photos: '{file}' is a file, not a folder", "decode", "--keep-photos", "{file}", "--images", "2")]
    [InlineData("--keep-photos: '{file}/photos' cannot be made: '{file}' is a file, not a folder", "decode", "--keep-photos", "{file}/photos", "--images", "2")]
    [InlineData("--images: must be a positive number", "examples", "--model", "demo-cnn", "--images", "-1")]
    [InlineData("--images: must be a positive number", "examples", "--model", "demo-cnn", "--images", "0")]
    [InlineData("--pixel-cache: '{file}' is a file, not a folder", "examples", "--model", "demo-cnn", "--folder", "{photos}", "--pixel-cache", "{file}")]
    public async Task A_bad_option_is_refused_in_one_line_naming_it(string expected, params string[] args)
    {
        var folder = TestData.NewTempFolder("bench-refusal");
        var file = Path.Combine(folder, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");
        var photos = Path.Combine(folder, "images");
        if (args.Contains("{photos}")) await TestData.WriteColourImagesAsync(folder);
        string Filled(string text) => text.Replace("{file}", file).Replace("{photos}", photos);

        try
        {
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), ["bench", .. args.Select(Filled)]);

            Assert.True(outcome.ExitCode == 2, outcome.ToString());
            Assert.Equal($"error: {Filled(expected)}", outcome.StdErr.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A pixel cache that cannot be made for another reason (here /proc, where nothing can be made, even by root) is refused as the option, not as the config field dataset.pixelCache.</summary>
    [Fact]
    public async Task A_pixel_cache_that_cannot_be_made_is_named_as_the_option()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc
        var folder = TestData.NewTempFolder("bench-pixel-cache");
        try
        {
            await TestData.WriteColourImagesAsync(folder);
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "examples", "--model", "demo-cnn", "--folder", Path.Combine(folder, "images"), "--pixel-cache", "/proc/atlas-pixel-cache");
            Assert.True(outcome.ExitCode == 2, outcome.ToString());
            var error = Assert.Single(outcome.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.StartsWith("error: --pixel-cache: cannot create '/proc/atlas-pixel-cache/", error);
            Assert.DoesNotContain("   at ", outcome.StdErr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>
    /// Ctrl+C (SIGINT) or SIGTERM while synthetic photos are being written: the verb stops, deletes its temporary folder
    /// (it can hold gigabytes) and exits 130 as other verbs do. Run synchronously, it had no handler for either: the
    /// runtime ended it at once (exit 130, or 143 for SIGTERM, without "cancelled") and the folder stayed behind.
    /// </summary>
    [Theory]
    [InlineData(2)] // SIGINT
    [InlineData(15)] // SIGTERM
    public async Task An_interrupted_bench_decode_deletes_its_temporary_folder_and_exits_130(int signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // POSIX signals
        var before = Directory.GetDirectories(Path.GetTempPath(), "atlas-bench-decode-*").ToHashSet();
        // Enough photos that writing them takes seconds (about 200 a second on two cores): the signal arrives while they are written.
        using var process = CliProcess.Start(new Dictionary<string, string>(), "bench", "decode", "--images", "3000", "--size", "32");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // Signalled once photos are being written, so the verb is at work, well past its start.
            string? scratch = null;
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (scratch is null || !Directory.EnumerateFiles(scratch, "*.jpg", SearchOption.AllDirectories).Any())
            {
                Assert.True(DateTime.UtcNow < deadline && !process.HasExited, "bench decode started writing photos within a minute");
                await Task.Delay(50);
                scratch ??= Directory.GetDirectories(Path.GetTempPath(), "atlas-bench-decode-*").FirstOrDefault(d => !before.Contains(d));
            }
            Assert.Equal(0, kill(process.Id, signal));
            using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(wait.Token);
            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
            Assert.Equal("cancelled", (await stderr).Trim().Split('\n')[^1]);
            Assert.DoesNotContain("   at ", await stderr);
            Assert.False(Directory.Exists(scratch), $"{scratch} was deleted");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
