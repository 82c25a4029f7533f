using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

/// <summary>What a unit handler gets: the lease's job, its config, where to write, and the loaded model.</summary>
public sealed record UnitContext(UnitLease Lease, AtlasConfig Config, IArtifactStore Store, ModelCache Models, CancellationToken Cancellation)
{
    public AtlasJobSpec Spec => Lease.Spec;
    public WorkUnit Unit => Lease.Unit;
    public AtlasKeys Keys { get; } = new(Lease.Spec.Atlas, Lease.Spec.Version);

    /// <summary>Runs tensor work on a dedicated thread, off the thread pool and any grain scheduler.</summary>
    public Task<T> Compute<T>(Func<T> work) =>
        Task.Factory.StartNew(work, Cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
