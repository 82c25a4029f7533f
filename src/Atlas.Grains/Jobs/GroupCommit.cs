namespace Atlas.Grains.Jobs;

/// <summary>
/// Group commit for a grain's whole-state writes. A caller that changed the state awaits
/// <see cref="CommitAsync"/>, which completes once a write that began after the call has succeeded,
/// so every acknowledged change is durable. Changes made while a write is in flight share the next
/// write: with many workers calling one job grain, each write carries several of their changes
/// instead of one, and the grain's writes per second stop being its limit.
/// </summary>
/// <remarks>
/// At most one write runs at a time. Not thread-safe: it relies on the grain's single-threaded
/// scheduler, which also runs the follow-up writes it starts (a reentrant grain lets further calls
/// change the state while a write is awaited).
/// </remarks>
public sealed class GroupCommit(Func<Task> write)
{
    private bool writing;
    private TaskCompletionSource? next;

    /// <summary>Whether a write is in flight (a change made now is not durable until the next one).</summary>
    public bool Busy => writing;

    /// <summary>Completes when a write that began after this call has succeeded; faults with its error.</summary>
    public async Task CommitAsync()
    {
        if (writing)
        {
            // The write in flight may have serialized the state before this caller's change: wait for the next.
            next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await next.Task;
            return;
        }
        writing = true;
        try
        {
            await write();
        }
        finally
        {
            if (next is null) writing = false;
            else _ = WriteQueuedAsync();
        }
    }

    /// <summary>Writes once for every caller that queued during the previous write, until none are left.</summary>
    private async Task WriteQueuedAsync()
    {
        while (next is { } batch)
        {
            next = null;
            try
            {
                await write();
                batch.SetResult();
            }
            catch (Exception e)
            {
                batch.SetException(e);
            }
        }
        writing = false;
    }
}
