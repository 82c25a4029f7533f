using Polly;
using Polly.Retry;

namespace Atlas.Grains.Workers;

/// <summary>
/// Retries a grain call for about a minute when it fails (its silo died and the grain is being
/// re-activated elsewhere, or grain storage is briefly unreachable). Calls retried here are
/// idempotent: a repeated completion of the same lease is recognised by the job grain.
/// </summary>
public static class GrainCallRetry
{
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(5),
            UseJitter = true,
            MaxRetryAttempts = 16,
        })
        .Build();

    public static Task<T> ExecuteAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken) =>
        Pipeline.ExecuteAsync(async _ => await call(), cancellationToken).AsTask();
}
