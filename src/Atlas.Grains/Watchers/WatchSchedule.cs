using Atlas.Core;
using Atlas.Core.Configuration;
using Cronos;

namespace Atlas.Grains.Watchers;

/// <summary>
/// When a watcher lists its source: "on-arrival" at every tick, or at the occurrences of a cron
/// expression (UTC; 5 fields, or 6 with seconds). Occurrences missed while the cluster was down are
/// not replayed one by one: the first tick after them lists once, which finds everything that arrived.
/// </summary>
public sealed class WatchSchedule
{
    private readonly CronExpression? cron;

    private WatchSchedule(string text, CronExpression? cron)
    {
        Text = text;
        this.cron = cron;
    }

    public string Text { get; }
    public bool OnArrival => cron is null;

    /// <summary>Parses a schedule; a bad cron expression is an input error naming the field.</summary>
    public static WatchSchedule Parse(string text, string field = "watch.schedule")
    {
        var trimmed = text.Trim();
        if (string.Equals(trimmed, WatchConfig.OnArrival, StringComparison.OrdinalIgnoreCase)) return new WatchSchedule(WatchConfig.OnArrival, null);
        var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
            throw new AtlasInputException($"{field}: '{text}' is neither \"on-arrival\" nor a cron expression (5 fields: minute hour day month weekday, or 6 with seconds first)");
        try
        {
            return new WatchSchedule(trimmed, CronExpression.Parse(trimmed, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard));
        }
        catch (CronFormatException e)
        {
            throw new AtlasInputException($"{field}: '{text}' is not a valid cron expression: {e.Message}", e);
        }
    }

    /// <summary>Whether a listing is due at <paramref name="now"/>, the last one having been at <paramref name="lastListing"/>.</summary>
    public bool IsDue(DateTimeOffset? lastListing, DateTimeOffset now)
    {
        if (lastListing is not { } last || OnArrival) return true;
        return Next(last) is { } next && next <= now;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/> (null for on-arrival: every tick).</summary>
    public DateTimeOffset? Next(DateTimeOffset after) =>
        cron?.GetNextOccurrence(after.UtcDateTime, inclusive: false) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
}
