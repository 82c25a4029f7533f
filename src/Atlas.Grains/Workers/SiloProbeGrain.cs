using Atlas.Abstractions;
using Atlas.Core;
using Orleans.Concurrency;

namespace Atlas.Grains.Workers;

/// <summary>Answers for this silo's machine: one activation per silo, kept local to the caller's gateway.</summary>
[StatelessWorker]
public sealed class SiloProbeGrain : Grain, ISiloProbeGrain
{
    public Task<string> DeviceType()
    {
        TorchRuntime.Initialize(); // a worker silo has done it already; a coordinator-only silo loads libtorch here
        return Task.FromResult(TorchRuntime.DeviceTypeName);
    }

    public Task<SiloPathCheck> CheckPaths(IReadOnlyList<string> paths) =>
        Task.FromResult(new SiloPathCheck(Environment.MachineName, paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList()));
}
