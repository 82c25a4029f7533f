using Atlas.Abstractions;
using Atlas.Core;

namespace Atlas.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class SiloDeviceGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_silo_names_the_torch_device_it_computes_on()
    {
        var answer = await fixture.Cluster.Client.GetGrain<ISiloDeviceGrain>(0).DeviceType();

        // The test silos run in this process, so they share its libtorch and device.
        TorchRuntime.Initialize();
        Assert.Equal(TorchRuntime.Device.type.ToString().ToLowerInvariant(), answer);
        Assert.Contains(answer, new[] { "cpu", "cuda" });
    }
}
