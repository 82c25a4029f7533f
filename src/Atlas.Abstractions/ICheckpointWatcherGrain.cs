namespace Atlas.Abstractions;

/// <summary>
/// Follows one atlas config's checkpoint source (key: the atlas name). Kept alive by a reminder, so it
/// survives silo restarts; lists the source on its schedule, recognises checkpoints by content hash
/// and submits one atlas job per new checkpoint, one job at a time, oldest checkpoint first.
/// </summary>
[Alias("atlas.ICheckpointWatcherGrain")]
public interface ICheckpointWatcherGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts (or re-configures) the watcher with a loaded config (absolute paths, a watch section); it lists
    /// the source at once, in the background (<see cref="WatcherStatus.Listings"/> counts finished listings).
    /// Versions already recorded are not recomputed under a changed config.
    /// </summary>
    [Alias("Start")] Task<WatcherStatus> Start(string configJson);

    /// <summary>Stops following the source (the reminder is removed); what was recorded is kept.</summary>
    [Alias("Stop")] Task Stop();

    /// <summary>Runs one watcher tick now and waits for it (what the reminder does on its period); for tests and scripts with small models, as a tick may outlast a grain call's timeout.</summary>
    [Alias("Tick")] Task<WatcherStatus> Tick();

    [Alias("GetStatus")] Task<WatcherStatus> GetStatus();
}
