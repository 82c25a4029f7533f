using Atlas.Abstractions;
using Atlas.Core;

namespace Atlas.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class SiloProbeGrainTests(ClusterFixture fixture)
{
    private ISiloProbeGrain Probe => fixture.Cluster.Client.GetGrain<ISiloProbeGrain>(0);

    [Fact]
    public async Task A_silo_names_the_torch_device_it_computes_on()
    {
        var answer = await Probe.DeviceType();

        // The test silos run in this process, so they share its libtorch and device.
        TorchRuntime.Initialize();
        Assert.Equal(TorchRuntime.DeviceTypeName, answer);
        Assert.Contains(answer, new[] { "cpu", "cuda" });
    }

    [Fact]
    public async Task A_silo_lists_the_paths_its_machine_lacks_and_names_itself()
    {
        var folder = Directory.CreateTempSubdirectory("probe-").FullName;
        var file = Path.Combine(folder, "model.pt");
        await File.WriteAllTextAsync(file, "x");
        var absent = Path.Combine(folder, "no-such-images");
        var absentFile = Path.Combine(folder, "no-such.pt");

        var check = await Probe.CheckPaths([file, absent, folder, absentFile]);

        Assert.Equal(Environment.MachineName, check.Host);
        Assert.Equal([absent, absentFile], check.Missing);
        Directory.Delete(folder, recursive: true);
    }
}
