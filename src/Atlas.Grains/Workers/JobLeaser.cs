using Atlas.Abstractions;

namespace Atlas.Grains.Workers;

/// <summary>
/// Finds a worker's next unit across all running jobs. It starts each search one job further along
/// than the last successful one, so concurrent jobs share workers fairly instead of the oldest
/// job starving the rest.
/// </summary>
public sealed class JobLeaser(IGrainFactory grains, string workerId)
{
    private int nextJob;

    public async Task<UnitLease?> LeaseNextAsync()
    {
        var jobs = await grains.GetGrain<IJobRegistryGrain>(0).ActiveJobs();
        for (int i = 0; i < jobs.Count; i++)
        {
            int at = (nextJob + i) % jobs.Count;
            var lease = await grains.GetGrain<IAtlasJobGrain>(jobs[at]).LeaseNext(workerId);
            if (lease is not null)
            {
                nextJob = at + 1;
                return lease;
            }
        }
        return null;
    }
}
