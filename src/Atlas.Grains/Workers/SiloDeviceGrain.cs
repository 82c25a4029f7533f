using Atlas.Abstractions;
using Atlas.Core;
using Orleans.Concurrency;

namespace Atlas.Grains.Workers;

/// <summary>Answers with this silo's torch device: one activation per silo, kept local to the caller's gateway.</summary>
[StatelessWorker]
public sealed class SiloDeviceGrain : Grain, ISiloDeviceGrain
{
    public Task<string> DeviceType()
    {
        TorchRuntime.Initialize(); // a worker silo has done it already; a coordinator-only silo loads libtorch here
        return Task.FromResult(TorchRuntime.Device.type.ToString().ToLowerInvariant());
    }
}
