using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Atlas.Cli.Tests.Analysis;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests.Watch;

/// <summary>
/// `atlas watch` as a user runs it: a real process on the embedded silo, whose reminder finds a
/// checkpoint dropped in while it runs, keeps only the newest version (keepVersions 1), republishes
/// the site, and stops cleanly on Ctrl+C (SIGINT).
/// </summary>
public class WatchProcessTests
{
    private static async Task<IReadOnlyList<string>> VersionsAsync(IArtifactStore store)
    {
        var versions = new List<string>();
        await foreach (var key in store.ListAsync("")) if (AtlasKeys.IsManifestKey(key)) versions.Add(key.Split('/')[1]);
        return versions;
    }

    /// <summary>
    /// What the process printed so far. Its lines are appended on other threads as they come, and a StringBuilder read
    /// while one is appended can throw or return a torn text: read it under the same lock.
    /// </summary>
    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, Process process, StringBuilder output, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (!await condition())
        {
            if (process.HasExited) throw new Xunit.Sdk.XunitException($"atlas watch exited ({process.ExitCode}) before {what}:\n{Text(output)}");
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting for {what}:\n{Text(output)}");
            await Task.Delay(500);
        }
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of /proc/self/status's SigIgn mask), as children would by inheritance.</summary>
    private static bool SigintIgnored() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:")) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0;

    /// <summary>`atlas watch` with these arguments, its standard output and error collected in <paramref name="output"/>.</summary>
    private static Process StartWatch(StringBuilder output, params string[] arguments)
    {
        // A suite started as a background job (`bash scripts/test.sh &`) inherits SIGINT ignored, and so would the
        // watcher, which then never sees a Ctrl+C; `env --default-signal` restores what a terminal gives.
        string[] command = [.. SigintIgnored() ? ["env", "--default-signal=INT"] : Array.Empty<string>(), "dotnet", Path.Combine(AppContext.BaseDirectory, "atlas.dll"), "watch", .. arguments];
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in command[1..]) start.ArgumentList.Add(arg);
        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task InterruptAndWaitAsync(Process process, StringBuilder output)
    {
        using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString()])) await interrupt.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Say where it stood: a bare cancellation (as one CI run under load gave) names nothing.
            throw new Xunit.Sdk.XunitException($"atlas watch did not stop within 60 s of Ctrl+C:\n{Text(output)}");
        }
    }

    /// <summary>
    /// A folder with a config of the demo CNN on 120 Fashion-MNIST images, its store and site inside, whose watched
    /// folder "checkpoints" holds the trained demo checkpoint; <paramref name="settings"/> are the config's other fields.
    /// </summary>
    private static async Task<(string Folder, string Checkpoints, string Config)> WatchedFolderAsync(string name, string settings)
    {
        var folder = TestData.NewTempFolder(name);
        var checkpoints = Directory.CreateDirectory(Path.Combine(folder, "checkpoints")).FullName;
        File.Copy(await TrainedCheckpoint.GetAsync(), Path.Combine(checkpoints, "first.pt"));
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "name": "{{name}}",
              "model": { "architecture": "demo-cnn", "checkpoint": "unused.pt" },
              "dataset": { "kind": "fashion-mnist", "path": {{JsonSerializer.Serialize(TestData.FashionMnistFolder())}}, "limit": 120 },
              "output": { "store": "store", "site": "site" },
              {{settings}}
            }
            """);
        return (folder, checkpoints, config);
    }

    [Fact]
    public async Task Watch_once_interrupted_while_a_job_runs_exits_130_saying_cancelled_since_its_work_is_unfinished()
    {
        // Enough steps that the job is still running when the interrupt comes.
        var (_, _, config) = await WatchedFolderAsync("watch-once", """
            "featureVis": { "steps": 100000 },
            "watch": { "source": "checkpoints" }
            """);
        var output = new StringBuilder();
        using var process = StartWatch(output, config, "--once", "--tick", "1");
        try
        {
            await WaitForAsync(() => Task.FromResult(Text(output).Contains("submitted job", StringComparison.Ordinal)), process, output, "the job to start");
            await InterruptAndWaitAsync(process, output);

            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{Text(output)}");
            Assert.Contains("cancelled", Text(output).Split('\n').Select(l => l.Trim()));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Watch_follows_the_folder_until_interrupted_and_keeps_the_newest_version()
    {
        var (folder, checkpoints, config) = await WatchedFolderAsync("watch-process", """
            "maxUnitsPerLayer": 2,
            "featureVis": { "steps": 2, "channelsPerUnit": 2 },
            "examples": { "topK": 3, "batchSize": 60, "imagesPerShard": 60 },
            "watch": { "source": "checkpoints", "keepVersions": 1 }
            """);
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));

        var output = new StringBuilder();
        using var process = StartWatch(output, config, "--tick", "1");
        try
        {
            await WaitForAsync(async () => (await VersionsAsync(store)).Count == 1, process, output, "the first version");
            var first = Assert.Single(await VersionsAsync(store));

            // A trainer drops the next checkpoint the safe way: written under another name, then renamed.
            var next = InProcessCli.RandomDemoCheckpoint(TestData.NewTempFolder("next"));
            File.Copy(next, Path.Combine(checkpoints, "second.pt.tmp"));
            File.Move(Path.Combine(checkpoints, "second.pt.tmp"), Path.Combine(checkpoints, "second.pt"));
            await WaitForAsync(async () => await VersionsAsync(store) is [var only] && only != first, process, output, "the second version to replace the first");

            // Retention withdraws a version's manifest first and then deletes the rest, so the listing above can see the
            // second version alone while the first's files are still going: wait for them (nothing may be left of it
            // but the marker that keeps a watcher from computing it again).
            await WaitForAsync(async () => await store.ListAsync($"watch-process/{first}/").ToListAsync() is [var marker] && marker.EndsWith("/retired.json", StringComparison.Ordinal),
                process, output, "retention to delete the first version");
            var second = Assert.Single(await VersionsAsync(store));
            await WaitForAsync(() => Task.FromResult(File.Exists(Path.Combine(folder, "site", "watch-process", second, "index.html"))), process, output, "the site of the second version");

            await InterruptAndWaitAsync(process, output);
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{Text(output)}");
            Assert.Contains("Stopping the watcher", Text(output));
            // At the normal level: no framework lines, and each change said once (by the watcher grain in this process),
            // not again by the job grain ("planned N units") or by the verb ("deleted by retention" after "deleted versions").
            var log = Text(output).Split('\n');
            Assert.DoesNotContain("Orleans", Text(output));
            Assert.DoesNotContain(log, l => l.Contains(" planned "));
            Assert.Single(log, l => l.Contains(first) && l.Contains("deleted"));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
