using Serilog;
using Spectre.Console;

namespace Atlas.Cli.Console;

/// <summary>The CLI's progress bars (training, a job's phases, a publish's steps): one look, and one rule for when they are drawn.</summary>
public static class ProgressBars
{
    /// <summary>
    /// Whether bars are drawn: only on a terminal, and at the normal verbosity or above; `-v q` and `-v m` ask for
    /// errors (and warnings) alone, and a bar redrawn for minutes is neither.
    /// </summary>
    public static bool Shown(ILogger logger) =>
        AnsiConsole.Profile.Capabilities.Interactive && logger.IsEnabled(Serilog.Events.LogEventLevel.Information);

    /// <inheritdoc cref="Shown(ILogger)"/>
    public static bool Shown(Microsoft.Extensions.Logging.ILogger logger) =>
        AnsiConsole.Profile.Capabilities.Interactive && logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information);

    /// <summary>
    /// Moves a bar to <paramref name="value"/>. Its clock starts when its work has <paramref name="begun"/> (not when
    /// the display opens, so a phase queued behind others does not show their time as its own) and stops once it is
    /// full: Spectre's clock otherwise runs on, and every finished bar ended a job showing the whole job's time.
    /// </summary>
    public static void Advance(ProgressTask bar, double value, bool begun = true)
    {
        if ((begun || value > 0) && !bar.IsStarted) bar.StartTask();
        bar.Value = value;
        if (bar.Value >= bar.MaxValue && bar.StopTime is null) bar.StopTask();
    }

    /// <summary>A progress display that keeps its finished bars on screen, with description, bar, percentage, elapsed and remaining time.</summary>
    public static Progress Create() =>
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn());
}
