using Atlas.Abstractions;
using Orleans.Runtime;

namespace Atlas.Grains.Workers;

/// <summary>Answers for the machine of the silo it was placed on, then goes away: each question is a fresh key.</summary>
public sealed class PlacedSiloProbeGrain(ILocalSiloDetails silo) : Grain, IPlacedSiloProbeGrain
{
    public Task<SiloPathCheck> CheckPaths(IReadOnlyList<string> paths)
    {
        DeactivateOnIdle();
        return Task.FromResult(new SiloPathCheck(Environment.MachineName, MachinePaths.Missing(paths), silo.SiloAddress.ToParsableString()));
    }
}
