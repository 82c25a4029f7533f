using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Azure;
using Polly;
using Polly.Retry;

namespace Atlas.Storage;

/// <summary>
/// Retries a store's operations through transient outages (a storage emulator restarting, a network
/// blip) for about a minute with exponential backoff, so a worker rides out the outage instead of
/// burning a unit's retry budget. Permanent errors (bad key, 403, 404 on read) pass straight through.
/// </summary>
public sealed class ResilientArtifactStore(IArtifactStore inner, TimeSpan? patience = null) : IArtifactStore
{
    private readonly ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(5),
            UseJitter = true,
            MaxRetryAttempts = (int)Math.Ceiling((patience ?? TimeSpan.FromSeconds(60)).TotalSeconds / 4) + 3,
        })
        .Build();

    public IArtifactStore Inner => inner;
    public string Description => inner.Description;

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteAsync(async ct => await inner.PutAsync(key, content, contentType, ct), cancellationToken).AsTask();

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteAsync(async ct => await inner.GetAsync(key, ct), cancellationToken).AsTask();

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteAsync(async ct => await inner.ExistsAsync(key, ct), cancellationToken).AsTask();

    public string? LocalFile(string key) => inner.LocalFile(key);

    public Task<IReadOnlyDictionary<string, byte[]>?> ContentHashesAsync(string prefix, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteAsync(async ct => await inner.ContentHashesAsync(prefix, ct), cancellationToken).AsTask();

    public Task<bool> CopyAsync(string fromKey, string toKey, string contentType, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteAsync(async ct => await inner.CopyAsync(fromKey, toKey, contentType, ct), cancellationToken).AsTask();

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        pipeline.ExecuteAsync(async ct => await inner.DeleteAsync(key, ct), cancellationToken).AsTask();

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A listing is retried whole: it is cheap next to the work it feeds, and keys must not repeat.
        var keys = await pipeline.ExecuteAsync(async ct =>
        {
            var all = new List<string>();
            await foreach (var key in inner.ListAsync(prefix, ct)) all.Add(key);
            return all;
        }, cancellationToken);
        foreach (var key in keys) yield return key;
    }

    public static bool IsTransient(Exception e) => e switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or SocketException or TimeoutException => true,
        AggregateException a => a.InnerExceptions.All(IsTransient),
        _ => e.InnerException is not null && IsTransient(e.InnerException),
    };
}
