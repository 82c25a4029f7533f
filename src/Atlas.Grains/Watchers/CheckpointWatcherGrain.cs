using Atlas.Abstractions;
using Atlas.Core;
using Atlas.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Follows one atlas's checkpoint source. A reminder wakes it every <see cref="WatcherOptions.TickPeriod"/>
/// (and re-activates it after a silo restart); each tick follows the running job and, when the schedule
/// says so, lists the source. Checkpoints are known by content hash, so a renamed or re-uploaded file is
/// not new; each new one is recorded before anything is done with it, so a crash at any point loses
/// nothing, and becomes one job whose id is derived from the hash, so nothing runs twice. Jobs run one
/// at a time, oldest checkpoint first, so each version can reuse and compare with the one before.
/// A file that looks cut short (a trainer saving into the folder) is left until it is whole, and
/// looked at again every tick meanwhile; one that stays so, unchanged, for
/// <see cref="WatcherOptions.UnfinishedPatience"/> is taken as it is.
/// The grain coordinates only: hashing, model loading and store I/O happen in
/// <see cref="CheckpointWatchService"/>, never on its scheduler.
/// </summary>
public sealed class CheckpointWatcherGrain(
    [PersistentState("watcher", AtlasGrainStorage.Name)] IPersistentState<CheckpointWatcherState> state,
    CheckpointWatchService service,
    IOptions<WatcherOptions> options,
    TimeProvider time,
    ILogger<CheckpointWatcherGrain> logger) : Grain, ICheckpointWatcherGrain, IRemindable
{
    public const string ReminderName = "checkpoint-watch";

    private CheckpointWatcherState Watch => state.State;
    private WatcherOptions Options => options.Value;
    private TimeProvider Clock => Options.Clock ?? time;
    private string Atlas => this.GetPrimaryKeyString();
    private Task? running;
    // A freshly activated watcher (silo restart, failover) lists at its first tick whatever the
    // schedule says: checkpoints that arrived while it was down are found then.
    private bool listAtNextTick = true;
    private ListingHasher? hasher;
    private ListingHasher Hasher => hasher ??= new ListingHasher(service, Options, logger, Atlas);

    public async Task<WatcherStatus> Start(string configJson)
    {
        var config = Parse(configJson);
        if (config.Name != Atlas) throw new ArgumentException($"config names atlas '{config.Name}', but this watcher is '{Atlas}'");
        Watch.ConfigJson = configJson;
        Watch.Active = true;
        Watch.LastError = null;
        // Starting the watcher again is how its user says "mended, try again": checkpoints whose jobs failed or
        // were cancelled (a full store, a cancel by mistake) are queued again; their jobs resume from what they stored.
        foreach (var failed in Watch.Checkpoints.Where(c => c.State == CheckpointState.Failed))
        {
            failed.State = CheckpointState.Queued;
            failed.Attempts = 0;
            failed.NotBefore = default;
            logger.LogInformation("Watcher {Atlas}: checkpoint {Key} ({Error}) is queued again", Atlas, failed.Key, failed.Error);
        }
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ReminderName, Options.TickPeriod, Options.TickPeriod);
        logger.LogInformation("Watching {Source} for atlas {Atlas} ({Schedule})", config.Watch!.Source, Atlas, config.Watch.Schedule);
        listAtNextTick = true;
        // The first listing runs in the background like every reminder tick: preparing a large
        // checkpoint can take longer than a grain call may.
        if (running is not { IsCompleted: false }) running = TickOnce();
        return Status();
    }

    public async Task Stop()
    {
        Watch.Active = false;
        await state.WriteStateAsync();
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
        logger.LogInformation("Stopped watching for atlas {Atlas}", Atlas);
    }

    public async Task<WatcherStatus> Tick()
    {
        // A tick already under way (from the reminder) finishes first; then this one runs in full.
        if (running is { IsCompleted: false } current) await current.ContinueWith(_ => { });
        running = TickOnce();
        await running;
        return Status();
    }

    public Task<WatcherStatus> GetStatus() => Task.FromResult(Status());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Watch.Active)
        {
            if (await this.GetReminder(reminderName) is { } stale) await this.UnregisterReminder(stale);
            return;
        }
        // The reminder call returns at once; a long preparation must not time it out. Later ticks
        // skip while this one runs.
        if (running is { IsCompleted: false }) return;
        running = TickOnce();
    }

    private async Task TickOnce()
    {
        if (!Watch.Active || Watch.ConfigJson is null) return;
        try
        {
            var config = Parse(Watch.ConfigJson);
            var schedule = WatchSchedule.Parse(config.Watch!.Schedule);
            var now = Clock.GetUtcNow();
            if (listAtNextTick || schedule.IsDue(Watch.LastListedAt, now))
            {
                await ListAsync(config, now);
                // A file being written is looked at again next tick, not at the schedule's next occurrence.
                listAtNextTick = Hasher.Unfinished.Count > 0;
            }
            await AdvanceAsync(config);
        }
        catch (Orleans.Storage.InconsistentStateException e)
        {
            // Another activation of this watcher wrote since this one read (a silo thought dead came
            // back): this copy is stale. Deactivate, so the next tick re-reads the state and carries on.
            logger.LogWarning("Watcher {Atlas}: its state changed under it ({Error}); reloading", Atlas, e.Message.Split('\n')[0]);
            DeactivateOnIdle();
        }
        catch (Exception e)
        {
            // The source or the store is unreachable, or the config cannot be served: say so, try again next tick.
            Watch.LastError = e.GetBaseException().Message;
            logger.LogWarning("Watcher {Atlas}: tick failed, will retry: {Error}", Atlas, Watch.LastError);
            await state.WriteStateAsync();
        }
    }

    private async Task ListAsync(AtlasConfig config, DateTimeOffset now)
    {
        var source = config.Watch!.Source;
        var entries = await service.ListAsync(source, CancellationToken.None);
        var hashed = await Hasher.HashAsync(source, entries, Watch.HashByFingerprint, now);
        Watch.HashByFingerprint = hashed.HashByFingerprint;
        var current = hashed.EntryByHash;

        foreach (var (sha, entry) in current)
        {
            var known = Watch.Checkpoints.FirstOrDefault(c => c.Sha256 == sha);
            if (known is null)
            {
                Watch.Checkpoints.Add(new CheckpointRecord { Sha256 = sha, Key = entry.Key, State = CheckpointState.Queued, DiscoveredAt = now, Modified = entry.Modified });
                logger.LogInformation("Watcher {Atlas}: new checkpoint {Key} (sha256 {Sha})", Atlas, entry.Key, sha[..12]);
                continue;
            }
            if (known.Key != entry.Key)
                logger.LogInformation("Watcher {Atlas}: {Key} has the content of {Known} (sha256 {Sha}); not a new checkpoint", Atlas, entry.Key, known.Key, sha[..12]);
            known.Key = entry.Key;
            if (known.State == CheckpointState.Vanished) known.State = CheckpointState.Queued;
        }
        foreach (var gone in Watch.Checkpoints.Where(c => c.State == CheckpointState.Queued && !current.ContainsKey(c.Sha256)))
        {
            gone.State = CheckpointState.Vanished;
            logger.LogWarning("Watcher {Atlas}: checkpoint {Key} left the source before its turn", Atlas, gone.Key);
        }
        Watch.LastListedAt = now;
        Watch.Listings++;
        Watch.LastError = null;
        // Recorded before any job is submitted: a crash from here on cannot lose these checkpoints.
        await state.WriteStateAsync();
    }

    /// <summary>Follows the running job; when none runs, starts the oldest queued checkpoint's.</summary>
    private async Task AdvanceAsync(AtlasConfig config)
    {
        while (true)
        {
            if (Watch.Checkpoints.FirstOrDefault(c => c.State == CheckpointState.Running) is { } active)
            {
                var job = await GrainFactory.GetGrain<IAtlasJobGrain>(active.JobId!).GetStatus();
                switch (job.State)
                {
                    case JobState.Running:
                        return;
                    case JobState.Completed:
                        // Older versions go before this one shows as completed: its completion is what tells the
                        // process that hosts the watcher to publish the site (and `watch --once` that it may stop), and
                        // a site generated while versions were being deleted would find their pictures gone.
                        await RetireOldVersionsAsync(config);
                        active.State = CheckpointState.Completed;
                        active.Error = job.Failed > 0 ? $"{job.Failed} unit(s) failed: {job.Error}" : null;
                        await state.WriteStateAsync();
                        // "In the store", not "published": on a cluster no site follows unless someone runs `atlas publish`.
                        logger.LogInformation("Watcher {Atlas}: version {Version} ({Key}) is complete in the store", Atlas, active.Version, active.Key);
                        continue;
                    case JobState.Failed or JobState.Cancelled:
                        active.State = CheckpointState.Failed;
                        active.Error = $"job {job.State.ToString().ToLowerInvariant()}: {job.Error}";
                        logger.LogWarning("Watcher {Atlas}: job {JobId} {State}: {Error}; starting the watcher again retries it", Atlas, active.JobId, job.State, job.Error);
                        await state.WriteStateAsync();
                        continue;
                    default:
                        // The job grain has no record (its state was in memory and the process restarted): prepare it again.
                        active.State = CheckpointState.Queued;
                        await state.WriteStateAsync();
                        continue;
                }
            }

            var now = Clock.GetUtcNow();
            var next = Watch.Checkpoints.Where(c => c.State == CheckpointState.Queued && c.NotBefore <= now)
                .OrderBy(c => c.Modified).ThenBy(c => c.DiscoveredAt).ThenBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault();
            if (next is null) return;
            if (await service.IsRetiredAsync(config, next.Version, CancellationToken.None))
            {
                // Computing it again would make it the newest by date, and retention would then delete a newer one. Asked
                // before whether it is published: a deletion cut short leaves its manifest beside the marker.
                next.State = CheckpointState.Retired;
                logger.LogInformation("Watcher {Atlas}: version {Version} ({Key}) was deleted by retention before; not computed again", Atlas, next.Version, next.Key);
                await state.WriteStateAsync();
                continue;
            }
            if (await service.IsPublishedAsync(config, next.Version, CancellationToken.None))
            {
                // Its job may have finished in a run that stopped before retention (`watch --once` keeps no state), so it
                // too counts as finished only once the versions it pushes out are gone, as a version completed here does.
                await RetireOldVersionsAsync(config);
                // An old finished version can be among those it pushes out (a run that stopped before retention, then
                // newer ones finished): it stays retired.
                if (next.State == CheckpointState.Retired) continue;
                next.State = CheckpointState.Completed;
                next.JobId = $"{config.Name}/{next.Version}";
                logger.LogInformation("Watcher {Atlas}: version {Version} ({Key}) is already in the store", Atlas, next.Version, next.Key);
                await state.WriteStateAsync();
                continue;
            }
            PreparedCheckpoint prepared;
            try
            {
                prepared = await service.PrepareAsync(config, next.Key, next.Sha256, CancellationToken.None);
            }
            catch (CheckpointRejectedException e)
            {
                next.State = CheckpointState.Rejected;
                next.Error = e.Message;
                logger.LogWarning("Watcher {Atlas}: checkpoint {Key} (sha256 {Sha}) rejected and skipped for good: {Error}", Atlas, next.Key, next.Version, e.Message);
                await state.WriteStateAsync();
                continue;
            }
            catch (WatchConfigException)
            {
                throw; // no checkpoint is to blame: the tick reports it and the next one tries again
            }
            catch (Exception e)
            {
                next.Attempts++;
                next.Error = e.GetBaseException().Message;
                if (next.Attempts >= Options.MaxAttempts)
                {
                    next.State = CheckpointState.Rejected;
                    next.Error = $"gave up after {next.Attempts} attempts: {next.Error}";
                    logger.LogWarning("Watcher {Atlas}: checkpoint {Key} {Error}", Atlas, next.Key, next.Error);
                }
                else
                {
                    next.NotBefore = now + Options.RetryBackoff * Math.Pow(2, next.Attempts - 1);
                    logger.LogWarning("Watcher {Atlas}: preparing {Key} failed (attempt {Attempt}), retrying after backoff: {Error}", Atlas, next.Key, next.Attempts, next.Error);
                }
                await state.WriteStateAsync();
                continue;
            }

            var status = await GrainFactory.GetGrain<IAtlasJobGrain>(prepared.Spec.JobId).Submit(prepared.Spec);
            next.State = CheckpointState.Running;
            next.JobId = prepared.Spec.JobId;
            next.Error = null;
            await state.WriteStateAsync();
            logger.LogInformation("Watcher {Atlas}: submitted job {JobId} for {Key} ({Units} units{Reuse})", Atlas, prepared.Spec.JobId, next.Key, status.Total,
                prepared.ReusedFrom is null ? "" : $", layers {string.Join(", ", prepared.ReusedLayers)} reused from {prepared.ReusedFrom}");
        }
    }

    private async Task RetireOldVersionsAsync(AtlasConfig config)
    {
        var deleted = await service.ApplyRetentionAsync(config, CancellationToken.None);
        if (deleted.Count == 0) return;
        foreach (var record in Watch.Checkpoints.Where(c => deleted.Contains(c.Version))) record.State = CheckpointState.Retired;
        await state.WriteStateAsync();
        logger.LogInformation("Watcher {Atlas}: deleted versions {Versions} (keeping the newest {Keep})", Atlas, string.Join(", ", deleted), config.Watch!.KeepVersions);
    }

    private static AtlasConfig Parse(string configJson)
    {
        var config = AtlasConfigLoader.Deserialize(configJson);
        if (config.Watch is null) throw new AtlasInputException("watch: the config has no watch section (source, schedule, keepVersions)");
        WatchSchedule.Parse(config.Watch.Schedule);
        return config;
    }

    private WatcherStatus Status()
    {
        WatchSchedule? schedule = null;
        AtlasConfig? config = null;
        if (Watch.ConfigJson is not null)
        {
            config = AtlasConfigLoader.Deserialize(Watch.ConfigJson);
            if (config.Watch is not null) schedule = WatchSchedule.Parse(config.Watch.Schedule);
        }
        DateTimeOffset? next = !Watch.Active || schedule is null ? null
            : schedule.OnArrival || listAtNextTick ? (Watch.LastListedAt ?? Clock.GetUtcNow()) + Options.TickPeriod
            : schedule.Next(Watch.LastListedAt ?? Clock.GetUtcNow());
        return new WatcherStatus(Atlas, Watch.Active, config?.Watch?.Source, schedule?.Text, Watch.LastListedAt, next,
            Watch.Checkpoints.Select(c => c.ToStatus()).ToList(), Watch.LastError)
        {
            Listings = Watch.Listings,
            Unfinished = Hasher.Unfinished,
        };
    }
}
