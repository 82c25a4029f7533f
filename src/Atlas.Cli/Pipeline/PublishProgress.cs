using System.Diagnostics;
using Atlas.Site;
using Serilog;
using Spectre.Console;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// Shows how a publish advances: on a terminal a bar per step (each version's images and pages, an upload); in a log
/// (redirected output), a line for each step that took long enough to wonder about, so a small site's publish stays
/// one line and a whole GoogLeNet's (over 100,000 images, minutes to a blob container) does not sit silent.
/// </summary>
public static class PublishProgress
{
    /// <summary>A step that took at least this long gets its log line when output is redirected.</summary>
    public static readonly TimeSpan LongStep = TimeSpan.FromSeconds(10);

    /// <param name="longStep">Overrides <see cref="LongStep"/> (tests).</param>
    public static async Task<T> ShowAsync<T>(ILogger logger, Func<Action<SiteProgress>, Task<T>> publish, TimeSpan? longStep = null)
    {
        if (!Console.ProgressBars.Shown(logger)) return await publish(LogLongSteps(logger, longStep ?? LongStep));
        T result = default!;
        await Console.ProgressBars.Create().StartAsync(async context =>
        {
            var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
            var gate = new Lock();
            result = await publish(progress =>
            {
                lock (gate)
                {
                    if (!bars.TryGetValue(progress.Step, out var bar))
                        bars[progress.Step] = bar = context.AddTask(Markup.Escape(progress.Step), maxValue: Math.Max(1, progress.Total));
                    Console.ProgressBars.Advance(bar, progress.Total == 0 ? 1 : progress.Done);
                }
            });
        });
        return result;
    }

    private static Action<SiteProgress> LogLongSteps(ILogger logger, TimeSpan longStep)
    {
        var started = new Dictionary<string, long>(StringComparer.Ordinal);
        var gate = new Lock();
        return progress =>
        {
            lock (gate)
            {
                if (progress.Done == 0 && !started.ContainsKey(progress.Step)) started[progress.Step] = Stopwatch.GetTimestamp();
                if (progress.Done < progress.Total || !started.Remove(progress.Step, out var start)) return;
                var elapsed = Stopwatch.GetElapsedTime(start);
                if (elapsed >= longStep)
                    logger.Information("Publishing {Step}: {Count} done in {Seconds:F0} s", progress.Step, progress.Total, elapsed.TotalSeconds);
            }
        };
    }
}
