using Atlas.Abstractions;
using Atlas.Cli.Pipeline;

namespace Atlas.Cli.Tests;

/// <summary>The one line `run` and `submit --wait` end with when their job did not complete.</summary>
public class JobEndLineTests
{
    private static JobStatus Status(JobState state, string? error) => new("demo/abc", state, 10, 4, 0, 1, [], error);

    [Theory]
    [InlineData(JobState.Cancelled, "cancelled", "error: job demo/abc cancelled; nothing was published")] // not "cancelled: cancelled"
    [InlineData(JobState.Cancelled, null, "error: job demo/abc cancelled; nothing was published")]
    [InlineData(JobState.Failed, "3 unit(s) failed: out of memory", "error: job demo/abc failed: 3 unit(s) failed: out of memory; nothing was published")]
    public void The_state_is_said_once_and_the_error_when_it_adds_something(JobState state, string? error, string expected) =>
        Assert.Equal(expected, JobWatcher.Unfinished("demo/abc", Status(state, error)));
}
