using Atlas.Core;
using Atlas.Grains.Watchers;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>Cron and on-arrival schedules at their boundaries (UTC), without a cluster.</summary>
public class WatchScheduleTests
{
    private static DateTimeOffset At(int month, int day, int hour, int minute, int second = 0, int year = 2026) => new(year, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void On_arrival_is_due_at_every_tick()
    {
        var schedule = WatchSchedule.Parse("on-arrival");
        Assert.True(schedule.OnArrival);
        Assert.True(schedule.IsDue(At(1, 1, 10, 0), At(1, 1, 10, 0)));
        Assert.Null(schedule.Next(At(1, 1, 10, 0)));
    }

    [Theory]
    // Hourly: due exactly at the hour, not a second before.
    [InlineData("0 * * * *", "2026-01-01T10:00:00Z", "2026-01-01T10:59:59Z", false)]
    [InlineData("0 * * * *", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z", true)]
    // Listed a little after an occurrence: the next one is still the next hour.
    [InlineData("0 * * * *", "2026-01-01T10:00:20Z", "2026-01-01T10:59:59Z", false)]
    // Midnight across a year boundary.
    [InlineData("0 0 * * *", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z", true)]
    [InlineData("0 0 * * *", "2026-12-31T00:00:00Z", "2026-12-31T23:59:59Z", false)]
    // Monthly on the 1st: February has 28 days in 2026.
    [InlineData("0 0 1 * *", "2026-02-01T00:00:00Z", "2026-02-28T23:59:59Z", false)]
    [InlineData("0 0 1 * *", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", true)]
    // Six fields: seconds first.
    [InlineData("*/30 * * * * *", "2026-01-01T10:00:00Z", "2026-01-01T10:00:29Z", false)]
    [InlineData("*/30 * * * * *", "2026-01-01T10:00:00Z", "2026-01-01T10:00:30Z", true)]
    // Several occurrences missed (the cluster was down): one listing catches up.
    [InlineData("*/5 * * * *", "2026-01-01T10:00:00Z", "2026-01-01T13:17:00Z", true)]
    // Weekdays only: Friday 2 January 2026 18:00 → next is Monday 5 January 09:00.
    [InlineData("0 9 * * 1-5", "2026-01-02T18:00:00Z", "2026-01-05T08:59:59Z", false)]
    [InlineData("0 9 * * 1-5", "2026-01-02T18:00:00Z", "2026-01-05T09:00:00Z", true)]
    public void Cron_is_due_from_its_first_occurrence_after_the_last_listing(string cron, string last, string now, bool due) =>
        Assert.Equal(due, WatchSchedule.Parse(cron).IsDue(DateTimeOffset.Parse(last), DateTimeOffset.Parse(now)));

    [Fact]
    public void A_watcher_that_never_listed_is_due_and_the_next_occurrence_is_reported()
    {
        var schedule = WatchSchedule.Parse("30 6 * * *");
        Assert.True(schedule.IsDue(null, At(1, 1, 0, 0)));
        Assert.Equal(At(1, 2, 6, 30), schedule.Next(At(1, 1, 6, 30)));
    }

    [Fact]
    public void A_date_that_never_comes_is_never_due() =>
        Assert.False(WatchSchedule.Parse("0 0 30 2 *").IsDue(At(1, 1, 0, 0), At(12, 31, 23, 59, year: 2030)));

    [Theory]
    [InlineData("every day at noon", "neither \"on-arrival\" nor a cron expression")]
    [InlineData("61 * * * *", "is not a valid cron expression")]
    [InlineData("* * * *", "neither \"on-arrival\" nor a cron expression")]
    public void A_bad_schedule_is_one_line_naming_the_field(string text, string reason)
    {
        var e = Assert.Throws<AtlasInputException>(() => WatchSchedule.Parse(text));
        Assert.StartsWith($"watch.schedule: '{text}'", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
