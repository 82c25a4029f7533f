using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Execution;

/// <summary>What a unit handler gets: the lease's job, its config, where to write, and the loaded model.</summary>
/// <param name="DeviceGate">Held while tensor work runs: one unit on the device at a time, while other units' storage I/O goes on.</param>
/// <param name="Logger">For what a unit should tell the user without failing (images it could not read).</param>
public sealed record UnitContext(UnitLease Lease, AtlasConfig Config, IArtifactStore Store, ModelCache Models, CancellationToken Cancellation,
    SemaphoreSlim DeviceGate, ILogger Logger)
{
    public AtlasJobSpec Spec => Lease.Spec;
    public WorkUnit Unit => Lease.Unit;
    public AtlasKeys Keys { get; } = new(Lease.Spec.Atlas, Lease.Spec.Version);

    /// <summary>
    /// Runs tensor work on a dedicated thread, off the thread pool and any grain scheduler, holding the
    /// device. Only this work holds it: reading inputs and writing artifacts happen outside, so with two
    /// workers per silo the next unit computes while the last one's pictures are stored.
    /// </summary>
    public async Task<T> Compute<T>(Func<T> work)
    {
        await DeviceGate.WaitAsync(Cancellation);
        try
        {
            return await HostWork(work);
        }
        finally
        {
            DeviceGate.Release();
        }
    }

    /// <summary>
    /// Runs CPU work that needs no device (decoding, encoding pictures) on a dedicated thread, off the grain
    /// scheduler, without holding the device: the other worker's unit keeps the device busy meanwhile.
    /// </summary>
    public Task<T> HostWork<T>(Func<T> work) =>
        Task.Factory.StartNew(work, Cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
