namespace Atlas.Abstractions;

/// <summary>The cluster's list of jobs that still have work (key: 0). Workers read it to find units; `atlas status` lists all.</summary>
[Alias("atlas.IJobRegistryGrain")]
public interface IJobRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task Add(string jobId);
    [Alias("Remove")] Task Remove(string jobId);
    [Alias("ActiveJobs")] Task<IReadOnlyList<string>> ActiveJobs();
    /// <summary>Every job ever submitted to this cluster (running or finished), oldest first.</summary>
    [Alias("KnownJobs")] Task<IReadOnlyList<string>> KnownJobs();
}
