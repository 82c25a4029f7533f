namespace Atlas.Grains.Workers;

public sealed class WorkerOptions
{
    /// <summary>Worker loops in this silo; one per torch device.</summary>
    public int Workers { get; set; } = 1;
    /// <summary>Wait between polls when no job has a runnable unit.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(200);
    /// <summary>How often a lease is renewed while its unit computes (well inside the lease duration).</summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(20);
}
