namespace Atlas.Grains.Jobs;

/// <summary>Lease and retry policy of job grains.</summary>
public sealed class JobOptions
{
    /// <summary>How long a worker holds a unit without renewing it before it goes back to the queue.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Attempts (first try included) before a unit is marked failed.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>Wait before a failed unit's next attempt; doubles with each attempt.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);
}
