namespace Atlas.Cli.Tests;

/// <summary>
/// A store folder whose disk fills up during a run: a real one, a 1 MiB tmpfs mounted over the store folder
/// in a private mount namespace (`unshare`, so no root is needed and nothing outlives the test). The job
/// stops at the first write that finds no room, says so in one line, and publishes nothing.
/// </summary>
public class StoreFullTests
{
    [Fact]
    public async Task A_store_that_runs_out_of_space_stops_the_job_at_the_first_write_with_one_line_and_publishes_nothing()
    {
        var folder = TestData.NewTempFolder("store-full");
        var store = Directory.CreateDirectory(Path.Combine(folder, "store")).FullName;
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: await TrainedCheckpoint.GetAsync()));
        // The whole atlas takes about 2 MiB there (469 files of at least a 4 KiB page each).
        string[] launcher = ["unshare", "--map-root-user", "--mount", "sh", "-c", $"mount -t tmpfs -o size=1m tmpfs '{store}' && exec \"$@\"", "sh"];

        var outcome = await CliProcess.RunUnderAsync(TimeSpan.FromMinutes(4), new Dictionary<string, string>(), launcher, "run", config);

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        var error = Assert.Single(outcome.StdErr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains($"the store folder {store} is out of space", error);
        Assert.Contains("the job stopped there", error);
        Assert.EndsWith("nothing was published", error.TrimEnd());
        // Stopped at once: no unit spent its attempts on writes that could not succeed.
        Assert.DoesNotContain("failed for good", outcome.StdErr);
        Assert.DoesNotContain("retrying after backoff", outcome.StdErr);
        Assert.False(Directory.Exists(Path.Combine(folder, "site")), "a site was published");
    }
}
