using Atlas.Grains.Jobs;

namespace Atlas.Grains.Tests;

/// <summary>
/// The job grain's group commit, driven by writes the test releases one at a time: which callers share
/// a write, and that none is answered before a write that began after its call.
/// </summary>
public class GroupCommitTests
{
    /// <summary>A write that finishes when the test says so, counting how many began.</summary>
    private sealed class HeldWrites
    {
        private readonly List<TaskCompletionSource> pending = [];
        public int Started { get { lock (pending) return pending.Count; } }

        public Task Write()
        {
            var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (pending) pending.Add(write);
            return write.Task;
        }

        public void Finish(int index) => Pending(index).SetResult();
        public void Fail(int index, Exception error) => Pending(index).SetException(error);

        private TaskCompletionSource Pending(int index) { lock (pending) return pending[index]; }
    }

    /// <summary>Time for a wrong completion to show: what must not happen has had its chance.</summary>
    private static async Task Settle() => await Task.Delay(50);

    /// <summary>
    /// Waits (up to 10 s) for what must happen: a fixed pause before asserting it failed on a loaded CI machine when
    /// the write had not begun yet.
    /// </summary>
    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(condition(), what);
    }

    [Fact]
    public async Task Callers_arriving_during_a_write_share_the_next_one_and_wait_for_it()
    {
        var writes = new HeldWrites();
        var commits = new GroupCommit(writes.Write);

        var first = commits.CommitAsync();
        var queued = Enumerable.Range(0, 5).Select(_ => commits.CommitAsync()).ToList();
        Assert.Equal(1, writes.Started);
        Assert.True(commits.Busy);

        writes.Finish(0);
        await first;
        await EventuallyAsync(() => writes.Started == 2, "the queued callers' write began");
        await Settle();
        // The first write may have been serialized before the others' changes: they are not answered by it.
        Assert.All(queued, q => Assert.False(q.IsCompleted));
        Assert.Equal(2, writes.Started);

        writes.Finish(1);
        await Task.WhenAll(queued);
        await EventuallyAsync(() => !commits.Busy, "the commits went idle");
        Assert.Equal(2, writes.Started);
    }

    [Fact]
    public async Task A_caller_after_the_writes_drain_starts_a_write_of_its_own()
    {
        var writes = new HeldWrites();
        var commits = new GroupCommit(writes.Write);
        var first = commits.CommitAsync();
        writes.Finish(0);
        await first;

        var second = commits.CommitAsync();
        Assert.Equal(2, writes.Started);
        Assert.False(second.IsCompleted);
        writes.Finish(1);
        await second;
    }

    [Fact]
    public async Task A_failed_write_fails_every_caller_it_carried_and_the_next_callers_write_again()
    {
        var writes = new HeldWrites();
        var commits = new GroupCommit(writes.Write);
        var first = commits.CommitAsync();
        var queued = new[] { commits.CommitAsync(), commits.CommitAsync() };
        writes.Finish(0);
        await first;
        await EventuallyAsync(() => writes.Started == 2, "the queued callers' write began");

        writes.Fail(1, new InvalidOperationException("storage unreachable"));
        foreach (var q in queued)
            Assert.Equal("storage unreachable", (await Assert.ThrowsAsync<InvalidOperationException>(() => q)).Message);
        await EventuallyAsync(() => !commits.Busy, "the commits went idle");

        var later = commits.CommitAsync();
        Assert.Equal(3, writes.Started);
        writes.Finish(2);
        await later;
    }

    [Fact]
    public async Task A_failed_first_write_fails_its_caller_and_still_writes_for_those_queued_behind_it()
    {
        var writes = new HeldWrites();
        var commits = new GroupCommit(writes.Write);
        var first = commits.CommitAsync();
        var queued = commits.CommitAsync();
        writes.Fail(0, new InvalidOperationException("etag mismatch"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await EventuallyAsync(() => writes.Started == 2, "the queued caller's write began");
        writes.Finish(1);
        await queued;
    }
}
