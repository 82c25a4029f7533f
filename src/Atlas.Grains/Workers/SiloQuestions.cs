using Atlas.Abstractions;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Atlas.Grains.Workers;

/// <summary>
/// Asks particular silos, not whichever one a call lands on: the worker silos each open the config's files, so each
/// must be asked whether it sees them. A fresh <see cref="IPlacedSiloProbeGrain"/> is activated on each silo through
/// Orleans' placement hint (<see cref="IPlacementDirector.PlacementHintKey"/>, which every built-in director honours
/// for a compatible silo), and its answer says which silo gave it.
/// </summary>
public static class SiloQuestions
{
    /// <summary>The worker silos the cluster view lists (those with worker loops), by their Orleans addresses.</summary>
    public static async Task<IReadOnlyList<(SiloReport Report, SiloAddress Address)>> WorkerSilosAsync(IGrainFactory grains)
    {
        var reports = await grains.GetGrain<IClusterViewGrain>(0).Silos();
        return reports.Where(r => r.Workers > 0).Select(r => (r, SiloAddress.FromParsableString(r.Silo))).ToList();
    }

    /// <summary>
    /// Each silo's answer, in order. A silo that could not be asked (it left the cluster since it was listed, so Orleans
    /// placed the question elsewhere, or the call failed) gives null.
    /// </summary>
    public static async Task<IReadOnlyList<SiloPathCheck?>> CheckPathsOnEachAsync(IGrainFactory grains, IReadOnlyList<SiloAddress> silos, IReadOnlyList<string> paths)
    {
        var answers = new List<SiloPathCheck?>();
        foreach (var silo in silos)
        {
            // The hint travels in the request context of the call that activates the grain; only that call needs it.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
            try
            {
                var check = await grains.GetGrain<IPlacedSiloProbeGrain>(Guid.NewGuid()).CheckPaths(paths);
                answers.Add(check.Silo == silo.ToParsableString() ? check : null);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                answers.Add(null);
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }
        }
        return answers;
    }
}
