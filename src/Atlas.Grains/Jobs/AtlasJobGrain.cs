using Atlas.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Atlas.Grains.Jobs;

/// <summary>
/// Owns one job's unit table. Every state change is written to grain storage before it is
/// acknowledged, so a silo restart resumes the job where it was; units are only ever marked done by
/// the holder of their current lease, so a late report from a worker that lost its lease is ignored.
/// </summary>
/// <remarks>
/// Reentrant so that calls keep arriving while a write is in flight and share the next one
/// (<see cref="GroupCommit"/>). Each method checks and changes the state before its first await, so
/// no call sees another's half-made change.
/// </remarks>
[Reentrant]
public sealed class AtlasJobGrain(
    [PersistentState("job", AtlasGrainStorage.Name)] IPersistentState<AtlasJobState> state,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<AtlasJobGrain> logger) : Grain, IAtlasJobGrain
{
    private GroupCommit? commits;
    private AtlasJobState Job => state.State;
    private JobOptions Options => options.Value;
    private DateTimeOffset Now => time.GetUtcNow();

    public Task<JobStatus> Submit(AtlasJobSpec spec) => Plan(spec, storeLost: false);

    public Task<JobStatus> SubmitAgain(AtlasJobSpec spec) => Plan(spec, storeLost: true);

    private async Task<JobStatus> Plan(AtlasJobSpec spec, bool storeLost)
    {
        // A job that failed or was cancelled runs again when submitted again (the spec says whether it reuses
        // the units already stored), and so does a completed one given other work or whose store lost its atlas; a
        // running or completed one given the same work is left as it is. Other work for a running job would mix two configs' units.
        var otherWork = Job.Spec is not null && !JobSpecs.SameWork(Job.Spec, spec);
        if (otherWork && Job.State == JobState.Running)
            throw new InvalidOperationException(
                $"job {this.GetPrimaryKeyString()} is running with another config or store; wait for it to finish or cancel it (atlas cancel), then submit again");
        if (Job.Spec is null || Job.State is JobState.Unknown or JobState.Failed or JobState.Cancelled || ((otherWork || storeLost) && Job.State == JobState.Completed))
        {
            var previous = Job.Spec is null ? JobState.Unknown : Job.State;
            Job.Spec = spec;
            Job.State = JobState.Running;
            Job.Error = null;
            Job.SubmittedAt = Now;
            Job.Units = JobPlanner.Plan(spec).Select(u => new UnitRecord { Unit = u }).ToList();
            await Persist();
            if (previous is JobState.Unknown) logger.LogInformation("Job {JobId} planned {Units} units", spec.JobId, Job.Units.Count);
            else logger.LogInformation("Job {JobId} was {Previous}; planned again: {Units} units", spec.JobId, previous, Job.Units.Count);
        }
        // A repeated submission (a retried call) may arrive while the plan is still being written.
        else if (Commits.Busy) await Persist();
        if (Job.State == JobState.Running)
            await GrainFactory.GetGrain<IJobRegistryGrain>(0).Add(this.GetPrimaryKeyString());
        return Status();
    }

    public Task<AtlasJobSpec?> GetSpec() => Task.FromResult(Job.Spec);

    public async Task<UnitLease?> LeaseNext(string workerId)
    {
        if (Job.State != JobState.Running || Job.Spec is null) return null;
        var now = Now;
        bool changed = ReclaimExpiredLeases(now);
        // Dependencies are only checked for the few units that have any (reduce, analysis, finalize).
        List<(WorkUnit, bool)>? settled = null;
        var next = Job.Units.FirstOrDefault(u => u.Status == UnitStatus.Pending && u.NotBefore <= now &&
            (u.Unit.Kind is WorkKind.FeatureVis or WorkKind.ExampleShard ||
             JobPlanner.IsRunnable(u.Unit, settled ??= Job.Units.Select(r => (r.Unit, r.Status is UnitStatus.Done or UnitStatus.Failed)).ToList())));
        if (next is null)
        {
            if (changed) await Persist();
            return null;
        }
        next.Status = UnitStatus.Leased;
        next.LeaseId = Guid.NewGuid();
        next.Worker = workerId;
        next.LeaseDeadline = now + Options.LeaseDuration;
        next.Attempts++;
        await Persist();
        return new UnitLease(this.GetPrimaryKeyString(), next.LeaseId, next.Unit, next.LeaseDeadline, Job.Spec);
    }

    public Task<bool> Renew(Guid leaseId)
    {
        var unit = HeldBy(leaseId);
        if (unit is null) return Task.FromResult(false);
        unit.LeaseDeadline = Now + Options.LeaseDuration;
        // Not written: a renewal lost with this activation only means the lease expires on the last
        // written deadline and the unit is handed out again, which is what a lost lease must do anyway.
        return Task.FromResult(true);
    }

    public async Task<bool> Complete(Guid leaseId, UnitResult result)
    {
        var unit = HeldBy(leaseId);
        if (unit is null)
        {
            logger.LogWarning("Job {JobId}: ignored a stale completion for lease {LeaseId}", this.GetPrimaryKeyString(), leaseId);
            return false;
        }
        unit.Status = UnitStatus.Done;
        unit.Result = result;
        unit.LastError = null;
        if (unit.Unit.Kind == WorkKind.Finalize) await Finish(JobState.Completed, null);
        await Persist();
        return true;
    }

    public async Task Fail(Guid leaseId, string error)
    {
        var unit = HeldBy(leaseId);
        if (unit is null) return;
        unit.LastError = error;
        unit.Failures++;
        if (unit.Failures >= Options.MaxAttempts)
        {
            unit.Status = UnitStatus.Failed;
            logger.LogWarning("Job {JobId}: unit {Unit} failed for good after {Failures} failed attempts: {Error}", this.GetPrimaryKeyString(), unit.Unit.Id, unit.Failures, error);
            // Without its manifest the atlas cannot be assembled: that failure fails the job.
            if (unit.Unit.Kind == WorkKind.Finalize) await Finish(JobState.Failed, FailureOf(unit));
        }
        else
        {
            unit.Status = UnitStatus.Pending;
            unit.NotBefore = Now + Options.RetryBackoff * Math.Pow(2, unit.Failures - 1);
            logger.LogWarning("Job {JobId}: unit {Unit} failed attempt {Failures}, retrying after backoff: {Error}", this.GetPrimaryKeyString(), unit.Unit.Id, unit.Failures, error);
        }
        await Persist();
    }

    public async Task Abort(Guid leaseId, string error)
    {
        var unit = HeldBy(leaseId);
        if (unit is null) return;
        unit.LastError = error;
        unit.Failures++;
        unit.Status = UnitStatus.Pending;   // not the unit's fault: a later run of the job computes it
        logger.LogWarning("Job {JobId}: unit {Unit} cannot go on ({Error}); the job stops", this.GetPrimaryKeyString(), unit.Unit.Id, error);
        await Finish(JobState.Failed, $"{FailureOf(unit)}; the job stopped there (the units already stored are kept: run it again once that is mended)");
        await Persist();
    }

    public Task<JobStatus> GetStatus()
    {
        if (Job.State == JobState.Running && ReclaimExpiredLeases(Now)) return Persist().ContinueWith(_ => Status());
        return Task.FromResult(Status());
    }

    public async Task Cancel()
    {
        if (Job.State != JobState.Running)
        {
            // A second cancel returns once the first one's change is written, as the first does.
            if (Commits.Busy) await Persist();
            return;
        }
        await Finish(JobState.Cancelled, "cancelled");
        await Persist();
    }

    private GroupCommit Commits => commits ??= new GroupCommit(WriteState);

    /// <summary>Returns once the state as it is now, with the caller's change, is written.</summary>
    private Task Persist() => Commits.CommitAsync();

    /// <summary>
    /// Writes the job's state. If another activation wrote it meanwhile (a silo thought dead came
    /// back, and for a while two copies of this grain lived), this copy is stale: it deactivates, so
    /// the caller's retry reaches a fresh activation that reads the latest state.
    /// </summary>
    private async Task WriteState()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            logger.LogWarning("Job {JobId}: state was written by another activation; reloading", this.GetPrimaryKeyString());
            this.DeactivateOnIdle();
            throw;
        }
    }

    private async Task Finish(JobState final, string? error)
    {
        Job.State = final;
        Job.Error = error;
        // A finished job's leases are void (no renewal or completion is taken any more): its status must not go on
        // counting those units as leased, nor their workers as working on it.
        foreach (var unit in Job.Units.Where(u => u.Status == UnitStatus.Leased))
        {
            unit.Status = UnitStatus.Pending;
            unit.LeaseId = Guid.Empty;
            unit.Worker = null;
        }
        await GrainFactory.GetGrain<IJobRegistryGrain>(0).Remove(this.GetPrimaryKeyString());
        logger.LogInformation("Job {JobId} {State}", this.GetPrimaryKeyString(), final);
    }

    private UnitRecord? HeldBy(Guid leaseId) =>
        Job.State == JobState.Running ? Job.Units.FirstOrDefault(u => u.Status == UnitStatus.Leased && u.LeaseId == leaseId) : null;

    private bool ReclaimExpiredLeases(DateTimeOffset now)
    {
        bool changed = false;
        foreach (var unit in Job.Units.Where(u => u.Status == UnitStatus.Leased && u.LeaseDeadline < now))
        {
            logger.LogWarning("Job {JobId}: lease of {Unit} held by {Worker} expired; unit goes back to the queue", this.GetPrimaryKeyString(), unit.Unit.Id, unit.Worker);
            unit.Status = UnitStatus.Pending;
            unit.Reassignments++;
            unit.LeaseId = Guid.Empty;
            changed = true;
        }
        return changed;
    }

    /// <summary>A failed unit's last error with where it happened: on a cluster, which machine a bad path or a full GPU belongs to.</summary>
    private static string FailureOf(UnitRecord unit) =>
        unit.Worker is { } worker ? $"unit {unit.Unit.Id} on {worker}: {unit.LastError}" : $"unit {unit.Unit.Id}: {unit.LastError}";

    private JobStatus Status()
    {
        var phases = Job.Units.GroupBy(u => JobPlanner.PhaseOf(u.Unit))
            .Select(g => new PhaseProgress(g.Key, g.Count(u => u.Status == UnitStatus.Done), g.Count(),
                g.Count(u => u.Status == UnitStatus.Leased), g.Count(u => u.Status == UnitStatus.Failed)))
            .ToList();
        return new JobStatus(this.GetPrimaryKeyString(), Job.State, Job.Units.Count,
            Job.Units.Count(u => u.Status == UnitStatus.Done), Job.Units.Count(u => u.Status == UnitStatus.Leased),
            Job.Units.Count(u => u.Status == UnitStatus.Failed), phases,
            Job.Error ?? (Job.Units.FirstOrDefault(u => u.Status == UnitStatus.Failed) is { } failed ? FailureOf(failed) : null))
        {
            Reassignments = Job.Units.Sum(u => u.Reassignments),
            Executions = Job.Units.Sum(u => u.Attempts),
            Workers = Job.Units.Where(u => u.Status == UnitStatus.Leased && u.Worker is not null).Select(u => u.Worker!).Distinct().Order().ToList(),
            SubmittedAt = Job.SubmittedAt,
            ComputeSeconds = Job.Units.Sum(u => u.Result?.ComputeSeconds ?? 0),
        };
    }
}
