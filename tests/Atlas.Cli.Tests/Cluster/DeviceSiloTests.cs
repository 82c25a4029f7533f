using System.Diagnostics;
using Atlas.Abstractions;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>
/// `atlas silo --devices`: one command, one silo process per device. Here the "devices" are CPU silos (nothing
/// reads CUDA_VISIBLE_DEVICES on this machine), which is enough to see the processes join one cluster, share
/// a job, and the supervisor start a crashed one again.
/// </summary>
public class DeviceSiloTests
{
    [Fact]
    public async Task One_command_runs_a_silo_per_device_that_share_the_job_and_a_crashed_one_starts_again()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartAsync(1, ["--devices", "0,1"]);
        // Another silo on the second device's silo port is refused, and that device's silo lives on (it would be
        // started again, a fourth start below, had the newcomer taken the port from it as Orleans' port reuse allowed).
        var taken = cluster.Silos[0].SiloPort + 1;
        var intruder = await CliProcess.RunAsync(TimeSpan.FromMinutes(1),
            new Dictionary<string, string>(cluster.Environment) { ["ATLAS_SILO_PORT"] = $"{taken}", ["ATLAS_GATEWAY_PORT"] = $"{AzuriteServer.FreePort()}" }, "silo");
        Assert.True(intruder.ExitCode == 2, intruder.ToString());
        Assert.StartsWith($"error: ATLAS_SILO_PORT: port {taken} is already in use on this machine", intruder.StdErr.Trim());
        await cluster.SubmitAsync();

        // Worker ids are machine/process/loop: two processes holding leases are the two device silos at work.
        var processes = new HashSet<int>();
        await cluster.WaitUntilAsync(status =>
        {
            foreach (var worker in status.Workers) processes.Add(int.Parse(worker.Split('/')[1]));
            return processes.Count >= 2 || status.IsFinished;
        }, TimeSpan.FromMinutes(3));
        Assert.True(processes.Count >= 2, $"only processes {string.Join(", ", processes)} held leases");
        Assert.DoesNotContain(cluster.Silos[0].Pid, processes); // the supervisor itself runs no worker

        using (var victim = Process.GetProcessById(processes.First()))
            victim.Kill(); // kill -9 of one device's silo mid-job

        // As long as ClusterFaultTests give the same job: its units took over 5 minutes on a loaded 2-core machine.
        var final = await cluster.WaitUntilAsync(s => s.IsFinished, TimeSpan.FromMinutes(10));
        Assert.True(final.State == JobState.Completed, $"{final.State}: {final.Error}");
        // The supervisor starts the crashed silo again 2 s after the crash, and its lines reach the log through this
        // process's reader of its output: the job can finish first (the killed silo may have held no lease), so wait for them.
        static int Starts(string log) => log.Split('\n').Count(line => line.Contains("Started the silo for device"));
        var log = await File.ReadAllTextAsync(cluster.Silos[0].LogFile);
        for (var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1); Starts(log) < 3 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(500);
            log = await File.ReadAllTextAsync(cluster.Silos[0].LogFile);
        }
        Assert.Contains("and it starts again", log);
        Assert.Equal(3, Starts(log));
        if (Hosting.DeviceList.CudaDeviceCount() == 0)
            Assert.Contains("this machine has 0 CUDA device(s), so the silo(s) of device(s) 0,1 compute on the CPU", log);
    }
}
