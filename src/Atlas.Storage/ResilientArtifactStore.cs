using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Atlas.Storage;

/// <summary>
/// Retries a store's operations through transient outages (a storage emulator restarting, a network
/// blip) with exponential backoff for as long as <c>patience</c> (a minute by default) from the call's start, so a
/// worker rides out the outage instead of burning a unit's retry budget, and a longer one fails the call within about
/// that time (the Azure client's own retries inside one attempt can add half a minute to a client opened with the SDK's
/// defaults; <see cref="ArtifactStores.OpenResilient"/> opens one that tries twice). The outage's start and end are
/// logged once per store (<see cref="StorageOutages"/>). Permanent errors (bad key, 403, 404 on read) pass straight through.
/// </summary>
public sealed class ResilientArtifactStore : IArtifactStore
{
    private static readonly ResiliencePropertyKey<long> StartedAt = new("atlas.store-call-started");
    private readonly IArtifactStore inner;
    private readonly ILogger logger;
    private readonly ResiliencePipeline pipeline;

    public ResilientArtifactStore(IArtifactStore inner, TimeSpan? patience = null, ILogger? logger = null)
    {
        this.inner = inner;
        this.logger = logger ?? NullLogger.Instance;
        var limit = patience ?? TimeSpan.FromSeconds(60);
        pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Bounded by time, not by a count: one attempt against a dead endpoint can itself take many seconds.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e) &&
                    Stopwatch.GetElapsedTime(args.Context.Properties.GetValue(StartedAt, Stopwatch.GetTimestamp())) < limit),
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    StorageOutages.Began(inner.Description, args.Outcome.Exception!, limit, this.logger);
                    return default;
                },
            })
            .Build();
    }

    public IArtifactStore Inner => inner;
    public string Description => inner.Description;

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default) =>
        RunAsync(async ct => { await inner.PutAsync(key, content, contentType, ct); return true; }, cancellationToken);

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.GetAsync(key, ct), cancellationToken);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.ExistsAsync(key, ct), cancellationToken);

    public string? LocalFile(string key) => inner.LocalFile(key);

    public Task<IReadOnlyDictionary<string, byte[]>?> ContentHashesAsync(string prefix, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.ContentHashesAsync(prefix, ct), cancellationToken);

    public Task<bool> CopyAsync(string fromKey, string toKey, string contentType, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.CopyAsync(fromKey, toKey, contentType, ct), cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        RunAsync(async ct => { await inner.DeleteAsync(key, ct); return true; }, cancellationToken);

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A listing is retried whole: it is cheap next to the work it feeds, and keys must not repeat.
        var keys = await RunAsync(async ct =>
        {
            var all = new List<string>();
            await foreach (var key in inner.ListAsync(prefix, ct)) all.Add(key);
            return all;
        }, cancellationToken);
        foreach (var key in keys) yield return key;
    }

    /// <summary>One call through the retries, its start recorded for their time limit; a success ends an outage.</summary>
    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        context.Properties.Set(StartedAt, started);
        try
        {
            var result = await pipeline.ExecuteAsync(async c => await operation(c.CancellationToken), context);
            StorageOutages.Ended(inner.Description, logger);
            return result;
        }
        catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnreachableException(
                $"{inner.Description} did not answer for {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s ({ErrorCause.Of(e)})", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public static bool IsTransient(Exception e) => e switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or SocketException or TimeoutException => true,
        AggregateException a => a.InnerExceptions.All(IsTransient),
        _ => e.InnerException is not null && IsTransient(e.InnerException),
    };
}
