using Atlas.Abstractions;

namespace Atlas.Grains.Jobs;

[GenerateSerializer, Alias("atlas.registry-state")]
public sealed class JobRegistryState
{
    [Id(0)] public List<string> Jobs { get; set; } = [];
    [Id(1)] public List<string> Known { get; set; } = [];
}

/// <summary>The list of running jobs that workers poll; kept in grain storage so it survives restarts.</summary>
public sealed class JobRegistryGrain(
    [PersistentState("registry", AtlasGrainStorage.Name)] IPersistentState<JobRegistryState> state) : Grain, IJobRegistryGrain
{
    public async Task Add(string jobId)
    {
        if (state.State.Jobs.Contains(jobId)) return;
        state.State.Jobs.Add(jobId);
        if (!state.State.Known.Contains(jobId)) state.State.Known.Add(jobId);
        await state.WriteStateAsync();
    }

    public async Task Remove(string jobId)
    {
        if (state.State.Jobs.Remove(jobId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ActiveJobs() => Task.FromResult<IReadOnlyList<string>>(state.State.Jobs.ToList());

    public Task<IReadOnlyList<string>> KnownJobs() => Task.FromResult<IReadOnlyList<string>>(state.State.Known.ToList());
}
