using Atlas.Cli.Hosting;
using Atlas.Core;
using Atlas.Grains.Workers;
using static TorchSharp.torch;

namespace Atlas.Cli.Tests;

public class WorkerCountTests
{
    [Fact]
    public void A_gpu_silo_runs_two_worker_loops_and_a_cpu_silo_one()
    {
        Assert.Equal(2, WorkerOptions.DefaultFor(new Device(TorchSharp.DeviceType.CUDA, 0)));
        Assert.Equal(1, WorkerOptions.DefaultFor(CPU));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("3", 3)]
    public void ATLAS_WORKERS_overrides_the_device_default(string? value, int? expected) =>
        Assert.Equal(expected, ClusterSettings.WorkersFromEnvironment(name => name == "ATLAS_WORKERS" ? value : null));

    [Theory]
    [InlineData("0")]
    [InlineData("two")]
    public void A_bad_ATLAS_WORKERS_is_named(string value) =>
        Assert.Contains($"ATLAS_WORKERS: '{value}' is not a positive integer",
            Assert.Throws<AtlasInputException>(() => ClusterSettings.WorkersFromEnvironment(name => name == "ATLAS_WORKERS" ? value : null)).Message);
}
