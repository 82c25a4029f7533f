using Atlas.Cli.Console;
using Spectre.Console;

namespace Atlas.Cli.Tests.Console;

/// <summary>A bar's clock covers its own work only: from when the work begins to when the bar is full.</summary>
public class ProgressBarsTests
{
    // Long enough that a stall of a loaded CI machine between starting the clock and reading it stays well inside it.
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(600);

    [Fact]
    public void A_bar_queued_behind_others_starts_its_clock_when_its_work_begins()
    {
        var bar = new ProgressTask(1, "feature vis conv3", maxValue: 2, autoStart: false);

        ProgressBars.Advance(bar, 0, begun: false);
        Thread.Sleep(Pause);
        Assert.Null(bar.ElapsedTime);

        ProgressBars.Advance(bar, 0, begun: true);
        Assert.NotNull(bar.ElapsedTime);
        Assert.True(bar.ElapsedTime < Pause, $"the clock counted the wait before the work began: {bar.ElapsedTime}");
    }

    [Fact]
    public void A_full_bar_stops_its_clock_and_keeps_its_time()
    {
        var bar = new ProgressTask(1, "feature vis conv1", maxValue: 2);
        ProgressBars.Advance(bar, 1);
        Assert.Null(bar.StopTime);

        ProgressBars.Advance(bar, 2);
        var finished = bar.ElapsedTime;
        Thread.Sleep(Pause);
        Assert.Equal(finished, bar.ElapsedTime);
        // Further updates of a full bar (the display redraws every phase each poll) leave its time as it was.
        ProgressBars.Advance(bar, 2);
        Thread.Sleep(Pause);
        Assert.Equal(finished, bar.ElapsedTime);
    }

    [Fact]
    public void A_bar_that_fills_before_it_was_seen_to_begin_still_gets_a_time()
    {
        // A unit can be leased and finished between two polls: the phase is then seen done without ever being seen leased.
        var bar = new ProgressTask(1, "feature vis logits", maxValue: 1, autoStart: false);

        ProgressBars.Advance(bar, 1, begun: false);

        Assert.NotNull(bar.ElapsedTime);
        Assert.NotNull(bar.StopTime);
    }
}
