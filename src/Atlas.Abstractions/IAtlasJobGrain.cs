namespace Atlas.Abstractions;

/// <summary>
/// One atlas job (key: job id). Plans work units at submission, leases them to workers that ask,
/// takes leases back when they expire, and records each unit's completion exactly once.
/// </summary>
[Alias("atlas.IAtlasJobGrain")]
public interface IAtlasJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Plans and starts the job. Submitting the same work again (same config and store) is a no-op; a failed or cancelled
    /// job, or a completed one given another config or store, is planned again; a running one given another config or
    /// store is refused (<see cref="InvalidOperationException"/>).
    /// </summary>
    [Alias("Submit")] Task<JobStatus> Submit(AtlasJobSpec spec);

    /// <summary>
    /// As <see cref="Submit"/>, but a completed job is planned again even with the same work: its store no longer holds
    /// what it wrote (emptied or deleted by hand). A running job is left as it is.
    /// </summary>
    [Alias("SubmitAgain")] Task<JobStatus> SubmitAgain(AtlasJobSpec spec);

    /// <summary>The spec the job was last submitted with; null before its first submission.</summary>
    [Alias("GetSpec")] Task<AtlasJobSpec?> GetSpec();

    /// <summary>The next runnable unit, or null when none is runnable right now.</summary>
    [Alias("LeaseNext")] Task<UnitLease?> LeaseNext(string workerId);

    /// <summary>Extends a lease; false when the lease is no longer this worker's (it expired and moved on).</summary>
    [Alias("Renew")] Task<bool> Renew(Guid leaseId);

    /// <summary>Records a finished unit; false (and ignored) when the lease is stale.</summary>
    [Alias("Complete")] Task<bool> Complete(Guid leaseId, UnitResult result);

    /// <summary>Reports a failed attempt; the unit is retried a bounded number of times, then marked failed.</summary>
    [Alias("Fail")] Task Fail(Guid leaseId, string error);

    /// <summary>
    /// Reports a failure that no retry can mend and every other unit would meet too (the store is out of
    /// space): the job fails at once, keeping what is stored for a later run to resume from.
    /// </summary>
    [Alias("Abort")] Task Abort(Guid leaseId, string error);

    [Alias("GetStatus")] Task<JobStatus> GetStatus();

    [Alias("Cancel")] Task Cancel();
}
