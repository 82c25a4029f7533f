using Atlas.Abstractions;

namespace Atlas.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class ClusterViewGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_view_lists_the_latest_report_of_each_active_silo_and_drops_silos_the_membership_does_not_count()
    {
        var view = fixture.Cluster.Client.GetGrain<IClusterViewGrain>(0);
        var active = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToParsableString()).ToList();
        var started = DateTimeOffset.UtcNow;

        await view.Report(new SiloReport(active[0], "host-b", 20, "cpu", 1, started));
        await view.Report(new SiloReport(active[0], "host-b", 20, "cuda", 2, started)); // a later report replaces the first
        await view.Report(new SiloReport(active[1], "host-a", 10, "cpu", 1, started));
        await view.Report(new SiloReport("10.9.9.9:11111@99", "host-gone", 30, "cuda", 2, started)); // never a member

        var silos = await view.Silos();

        Assert.Equal([("host-a", 10, "cpu", 1), ("host-b", 20, "cuda", 2)], silos.Select(s => (s.Host, s.ProcessId, s.Device, s.Workers)));
        Assert.All(silos, s => Assert.Equal(started, s.StartedAt));
    }
}
