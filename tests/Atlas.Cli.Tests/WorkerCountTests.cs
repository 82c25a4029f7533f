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
    [InlineData("257")]
    public void A_bad_ATLAS_WORKERS_is_named(string value) =>
        Assert.Equal($"ATLAS_WORKERS: '{value}' is not a whole number from 1 to 256",
            Assert.Throws<AtlasInputException>(() => ClusterSettings.WorkersFromEnvironment(name => name == "ATLAS_WORKERS" ? value : null)).Message);

    [Theory]
    [InlineData("ATLAS_SILO_PORT", "99999", "is not a whole number from 1 to 65535")]
    [InlineData("ATLAS_GATEWAY_PORT", "-1", "is not a whole number from 1 to 65535")]
    [InlineData("ATLAS_LEASE_SECONDS", "Infinity", "is not a number of seconds above 0 and at most 86400 (a day)")]
    [InlineData("ATLAS_LEASE_SECONDS", "1e300", "is not a number of seconds above 0 and at most 86400 (a day)")]
    [InlineData("ATLAS_RENEW_SECONDS", "NaN", "is not a number of seconds above 0 and at most 86400 (a day)")]
    [InlineData("ATLAS_PROBE_TIMEOUT_SECONDS", "1e300", "is not a number of seconds above 0 and at most 86400 (a day)")]
    public void Ports_and_times_out_of_range_are_named_not_overflowed(string variable, string value, string problem)
    {
        string? Read(string name) => name == variable ? value : name == "ATLAS_STORAGE_CONNECTION" ? "UseDevelopmentStorage=true" : null;
        Assert.Equal($"{variable}: '{value}' {problem}", Assert.Throws<AtlasInputException>(() => ClusterSettings.FromEnvironment(Read)).Message);
    }

    [Theory]
    [InlineData("10", "20", "20 s is not shorter than the lease (10 s")]
    [InlineData("30", "30", "30 s is not shorter than the lease (30 s")]
    [InlineData(null, "120", "120 s is not shorter than the lease (120 s")] // the lease's default
    [InlineData("10", null, null)] // the renewal's default is a quarter of the lease
    [InlineData("10", "9.5", null)]
    public void A_renewal_must_come_before_its_lease_ends(string? lease, string? renew, string? problem)
    {
        string? Read(string name) => name switch
        {
            "ATLAS_LEASE_SECONDS" => lease,
            "ATLAS_RENEW_SECONDS" => renew,
            "ATLAS_STORAGE_CONNECTION" => "UseDevelopmentStorage=true",
            _ => null,
        };
        if (problem is null)
        {
            var settings = ClusterSettings.FromEnvironment(Read);
            Assert.True(settings.RenewEvery < settings.LeaseDuration);
            return;
        }
        var error = Assert.Throws<AtlasInputException>(() => ClusterSettings.FromEnvironment(Read)).Message;
        Assert.StartsWith($"ATLAS_RENEW_SECONDS: {problem}", error);
    }

    [Theory]
    [InlineData("Infinity")]
    [InlineData("3601")]
    [InlineData("0.5")]
    public void A_watch_tick_out_of_range_is_named(string value) =>
        Assert.Equal($"ATLAS_WATCH_TICK_SECONDS: '{value}' is not a number of seconds from 1 to 3600", Assert.Throws<AtlasInputException>(() => ClusterSilo.WatchTick(value)).Message);
}
