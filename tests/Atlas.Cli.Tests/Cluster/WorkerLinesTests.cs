using Atlas.Abstractions;
using Atlas.Cli.Commands;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>`atlas status JOB` names the workers holding its leases, and says which of them belong to a silo that has gone.</summary>
public class WorkerLinesTests
{
    [Fact]
    public void A_worker_of_a_silo_that_left_the_cluster_is_said_to_be_gone_and_one_of_a_live_silo_is_not()
    {
        var silos = new[] { new SiloReport("S127.0.0.1:11111:1", "vm", 4242, "cpu", 2, DateTimeOffset.UnixEpoch) };

        var lines = StatusCommand.WorkerLines(["vm/4242/0", "vm/42/1", "other/4242/0"], silos).ToList();

        Assert.Equal("worker vm/4242/0", lines[0]);
        // Another process on the same machine, or the same process id on another machine, is not the live silo.
        Assert.All(lines.Skip(1), l => Assert.EndsWith("(its silo has left the cluster: its unit goes back to the queue when the lease runs out)", l));
    }
}
