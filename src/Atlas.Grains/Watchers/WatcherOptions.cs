namespace Atlas.Grains.Watchers;

/// <summary>How often watchers wake up and how they retry; the silo hosts set these (tests shorten them).</summary>
public sealed class WatcherOptions
{
    /// <summary>The reminder period: each tick follows the running job and, when the schedule says so, lists the source.</summary>
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Preparation attempts that end in an unexpected error (storage outage…) before a checkpoint is given up.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>Wait before the next attempt at a checkpoint whose preparation failed; doubles per attempt.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// How long a file that looks cut short may stay unchanged before it is taken as it is (and most
    /// likely rejected, with the loader's reason): a trainer that died mid-save leaves such a file.
    /// </summary>
    public TimeSpan UnfinishedPatience { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// The watchers' own clock for schedules and backoff (null: the silo's TimeProvider). Tests set a
    /// manual one here rather than replacing the silo's, which Orleans' reminder timers also run on.
    /// </summary>
    public TimeProvider? Clock { get; set; }
}
