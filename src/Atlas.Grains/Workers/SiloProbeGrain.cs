using Atlas.Abstractions;
using Atlas.Core;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Atlas.Grains.Workers;

/// <summary>Answers for this silo's machine: one activation per silo, kept local to the caller's gateway.</summary>
[StatelessWorker]
public sealed class SiloProbeGrain(ILocalSiloDetails silo) : Grain, ISiloProbeGrain
{
    public Task<string> DeviceType()
    {
        TorchRuntime.Initialize(); // a worker silo has done it already; a coordinator-only silo loads libtorch here
        return Task.FromResult(TorchRuntime.DeviceTypeName);
    }

    public Task<SiloPathCheck> CheckPaths(IReadOnlyList<string> paths) =>
        Task.FromResult(new SiloPathCheck(Environment.MachineName, MachinePaths.Missing(paths), silo.SiloAddress.ToParsableString()));
}
