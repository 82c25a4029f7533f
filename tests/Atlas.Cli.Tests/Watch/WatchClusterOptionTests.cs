using System.Text.Json;

namespace Atlas.Cli.Tests.Watch;

/// <summary>
/// `atlas watch --cluster` refuses, before it reaches any cluster, what a cluster's watcher would drop without a word:
/// the in-process watcher's options, two actions at once, and a store its silos could not open at any tick.
/// </summary>
public class WatchClusterOptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    /// <summary>A config with a watch section whose store is <paramref name="store"/>.</summary>
    private static async Task<string> ConfigAsync(string store = "store")
    {
        var folder = TestData.NewTempFolder("watch-cluster-options");
        var path = Path.Combine(folder, "config.json");
        Directory.CreateDirectory(Path.Combine(folder, "checkpoints")); // else a warning says it is not there yet
        await File.WriteAllTextAsync(path, $$"""
            {
              "name": "watched",
              "model": { "architecture": "demo-cnn", "checkpoint": "unused.pt" },
              "dataset": { "kind": "fashion-mnist", "path": {{JsonSerializer.Serialize(folder)}}, "limit": 120 },
              "output": { "store": {{JsonSerializer.Serialize(store)}}, "site": "site" },
              "watch": { "source": "checkpoints" }
            }
            """);
        return path;
    }

    private static async Task<string> RefusedAsync(params string[] args)
    {
        var outcome = await CliProcess.RunAsync(Timeout, args);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.True(outcome.StdOut.Length == 0, outcome.ToString());
        return outcome.StdErr.Trim();
    }

    [Theory]
    [InlineData("--once", "error: --once and --cluster: a cluster's watcher runs on its silos until `atlas watch CONFIG --cluster --stop`; --once is for the in-process watcher (see: atlas watch --help)")]
    [InlineData("--tick 10", "error: --tick and --cluster: a cluster's watchers wake every ATLAS_WATCH_TICK_SECONDS seconds, set on its silos; --tick is for the in-process watcher (see: atlas watch --help)")]
    [InlineData("--out published", "error: --out and --cluster: a cluster's watcher publishes no site (run `atlas publish --store LOC --out DIR` for that), so --out would have no effect (see: atlas watch --help)")]
    [InlineData("--status --stop", "error: --status and --stop: give one of them (--status shows the cluster's watcher, --stop ends it) (see: atlas watch --help)")]
    [InlineData("--status --store elsewhere", "error: --store and --status: the cluster's watcher keeps the store it was started with; --store goes with starting it (see: atlas watch --help)")]
    [InlineData("--stop --store elsewhere", "error: --store and --stop: the cluster's watcher keeps the store it was started with; --store goes with starting it (see: atlas watch --help)")]
    public async Task Options_a_cluster_watcher_would_ignore_are_usage_errors(string options, string expected)
    {
        var config = await ConfigAsync();

        Assert.Equal(expected, await RefusedAsync(["watch", config, "--cluster", .. options.Split(' ')]));
    }

    [Theory]
    [InlineData("--status")]
    [InlineData("--stop")]
    public async Task Status_and_stop_without_cluster_are_usage_errors(string option)
    {
        var config = await ConfigAsync();

        Assert.Equal($"error: {option}: goes with --cluster (an in-process watcher reports as it goes and stops with Ctrl+C) (see: atlas watch --help)",
            await RefusedAsync("watch", config, option));
    }

    [Fact]
    public async Task A_store_the_silos_could_not_open_is_refused_before_the_watcher_is_handed_over()
    {
        var unset = await RefusedAsync("watch", await ConfigAsync(), "--cluster", "--store", "azure-blob://atlas-x?connection=ATLAS_TEST_VARIABLE_NOBODY_SETS");
        Assert.Equal("error: --store: storage location 'azure-blob://atlas-x?connection=ATLAS_TEST_VARIABLE_NOBODY_SETS' needs a storage connection string " +
            "in the environment variable ATLAS_TEST_VARIABLE_NOBODY_SETS, which is not set", unset);

        var badNameConfig = await ConfigAsync("azure-blob://Bad_Name");
        var badName = await RefusedAsync("watch", badNameConfig, "--cluster");
        Assert.StartsWith($"error: {badNameConfig}: output.store: storage location 'azure-blob://Bad_Name': blob container name 'Bad_Name' is not valid", badName);
    }
}
