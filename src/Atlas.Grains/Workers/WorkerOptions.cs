using static TorchSharp.torch;

namespace Atlas.Grains.Workers;

public sealed class WorkerOptions
{
    /// <summary>Worker loops in this silo, sharing its one torch device; null means <see cref="DefaultFor"/> the device.</summary>
    public int? Workers { get; set; }

    /// <summary>
    /// Two loops on a GPU: a unit holds the device only while it computes, so the second computes while the
    /// first encodes its pictures and writes them to storage, and the GPU does not idle between units.
    /// One on a CPU, whose cores the computing unit already keeps busy.
    /// </summary>
    public static int DefaultFor(Device device) => device.type == TorchSharp.DeviceType.CUDA ? 2 : 1;
    /// <summary>Wait between polls when no job has a runnable unit.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(200);
    /// <summary>How often a lease is renewed while its unit computes (well inside the lease duration).</summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(20);
}
