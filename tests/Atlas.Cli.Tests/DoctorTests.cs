namespace Atlas.Cli.Tests;

public class DoctorTests
{
    [Fact]
    public async Task Doctor_reports_the_packaged_cpu_backend_and_versions()
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "doctor");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("packaged libtorch", outcome.StdOut);
        Assert.Contains("0.107", outcome.StdOut);
        Assert.Contains("CPU bfloat16", outcome.StdOut);
        // What auto gives the working copies on this device: on a CPU, none of the GPU-only rewrites.
        Assert.Contains("float32, channels-last, batch norms folded", outcome.StdOut);
        Assert.DoesNotContain("scatter max-pool", outcome.StdOut);
        Assert.DoesNotContain("space to depth", outcome.StdOut);
        Assert.Contains("cpu", outcome.StdOut);
        Assert.Contains($"{Core.Rendering.FeatureVisSettings.CpuChannelsPerUnit} channels, for jobs planned here", outcome.StdOut);
        // The packaged libtorch exports the switch that TorchScript models' Grad-CAM relies on.
        Assert.Contains("run op by op", outcome.StdOut);
        // Redirected output is not wrapped at 80 columns: the library's path stays whole on its row, as a script reads it.
        Assert.Contains(outcome.StdOut.Split('\n'), line => line.Contains("native library") && line.Contains("/native/libLibTorchSharp.so"));
    }

    [Fact]
    public async Task Torch_threads_follow_the_variable_and_a_bad_value_is_one_line_naming_it()
    {
        var one = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["ATLAS_TORCH_THREADS"] = "3" }, "doctor");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Matches(@"torch threads\s*│?\s*3\s", one.StdOut);

        var bad = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["ATLAS_TORCH_THREADS"] = "all" }, "doctor");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Equal("error: ATLAS_TORCH_THREADS: 'all' is not a whole number of threads from 1 to 1024", bad.StdErr.Trim());
    }

    [Fact]
    public async Task A_missing_libtorch_folder_is_a_one_line_error_naming_the_variable()
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["ATLAS_LIBTORCH_DIR"] = "/no/such/torch/lib" }, "doctor");
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal("error: ATLAS_LIBTORCH_DIR: folder '/no/such/torch/lib' not found", outcome.StdErr.Trim());
    }
}
