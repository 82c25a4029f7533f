using Atlas.Abstractions;
using Atlas.Core;
using Atlas.Grains.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atlas.Grains.Workers;

/// <summary>
/// Pulls work: asks the running jobs, in turn, for a unit; runs it on the executor while renewing
/// the lease; reports the result. A unit whose lease is lost mid-way is abandoned (someone else has it).
/// </summary>
public sealed class AtlasWorker(IGrainFactory grains, IUnitExecutor executor, IOptions<WorkerOptions> options, ILogger<AtlasWorker> logger, int index) : BackgroundService
{
    private readonly string workerId = WorkerId(index);
    private JobLeaser? leaser;

    /// <summary>Machine, process id and loop index: enough to find (and, in tests, to kill) the holder of a lease.</summary>
    public static string WorkerId(int index) => $"{Environment.MachineName}/{Environment.ProcessId}/{index}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        logger.LogDebug("Worker {Worker} started", workerId);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                leaser ??= new JobLeaser(grains, workerId);
                var lease = await leaser.LeaseNextAsync();
                if (lease is null)
                {
                    await Task.Delay(options.Value.IdlePoll, stoppingToken);
                    continue;
                }
                await Run(lease, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The cluster may be briefly unreachable (restart, storage outage): wait and ask again.
                logger.LogWarning(e, "Worker {Worker} could not reach the job grains; retrying", workerId);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { });
            }
        }
    }

    private async Task Run(UnitLease lease, CancellationToken stoppingToken)
    {
        var job = grains.GetGrain<IAtlasJobGrain>(lease.JobId);
        using var unitCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var renewalStop = new CancellationTokenSource();
        var renewal = RenewWhileRunning(job, lease, unitCancellation, renewalStop.Token);
        try
        {
            var result = await executor.ExecuteAsync(lease, unitCancellation.Token);
            // The artifacts are durable now: insist on reporting, through a brief cluster or storage outage.
            if (!await GrainCallRetry.ExecuteAsync(() => job.Complete(lease.LeaseId, result), stoppingToken))
                logger.LogWarning("Worker {Worker}: completion of {Unit} was stale (lease moved on)", workerId, lease.Unit.Id);
        }
        catch (OperationCanceledException) when (unitCancellation.IsCancellationRequested)
        {
            logger.LogInformation("Worker {Worker}: stopped {Unit} (lease lost or shutting down)", workerId, lease.Unit.Id);
        }
        catch (Exception e)
        {
            // libtorch's messages carry its C++ stack (or a TorchScript traceback): the job (and `atlas status`) keeps the line that says what failed.
            var full = Atlas.Storage.StoreFullException.Find(e);
            var error = full?.Message ?? Atlas.Storage.StoreUnreachableException.Find(e)?.Message ?? TorchErrors.Summary(e);
            logger.LogWarning("Worker {Worker}: unit {Unit} failed: {Error}", workerId, lease.Unit.Id, error);
            logger.LogDebug(e, "Worker {Worker}: unit {Unit} failed", workerId, lease.Unit.Id);
            // A full store fails every unit alike: the job stops now rather than spend each unit's attempts.
            await GrainCallRetry.ExecuteAsync(async () => { await (full is not null ? job.Abort(lease.LeaseId, error) : job.Fail(lease.LeaseId, error)); return true; }, stoppingToken);
        }
        finally
        {
            await renewalStop.CancelAsync();
            await renewal;
        }
    }

    /// <summary>Renews the lease until stopped; a refused renewal means the unit is someone else's now, so stop computing it.</summary>
    private async Task RenewWhileRunning(IAtlasJobGrain job, UnitLease lease, CancellationTokenSource unit, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Value.RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    if (!await job.Renew(lease.LeaseId).WaitAsync(stop))
                    {
                        await unit.CancelAsync();
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogDebug(e, "Lease renewal of {Unit} failed; will try again", lease.Unit.Id);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The unit finished: renewal ends with it.
        }
    }
}
