using Serilog;
using Serilog.Events;

namespace Atlas.Cli.Console;

/// <summary>Serilog to standard error (standard output belongs to progress and results), structured and leveled.</summary>
public static class Logging
{
    /// <param name="warningsOnlyFrom">Log categories (source contexts) that keep only their warnings and errors at the
    /// normal and quieter levels, where something else in the process says the same (detailed and diagnostic keep all).</param>
    public static ILogger Create(LogEventLevel level, IReadOnlyList<string>? warningsOnlyFrom = null)
    {
        // Orleans and the hosting stack are chatty (Polly logs every placement attempt and, when a peer silo dies, a
        // warning per retry of a call to it; a silo warns about GC mode and start-up stalls): errors only by default,
        // warnings at detailed, debug at diagnostic.
        var frameworkLevel = level switch
        {
            LogEventLevel.Verbose => LogEventLevel.Debug,
            LogEventLevel.Debug => LogEventLevel.Warning,
            _ => (LogEventLevel)Math.Max((int)level, (int)LogEventLevel.Error),
        };
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Orleans", frameworkLevel)
            .MinimumLevel.Override("Microsoft", frameworkLevel)
            .MinimumLevel.Override("Polly", frameworkLevel);
        // Overrides take effect where a category's logger is made (Serilog's ForContext, which the silo's logger
        // factory calls per category), so they belong on this logger itself: one that forwards to it would bypass them.
        // Detailed and diagnostic levels keep these categories' every line, so they need no override there.
        if (level >= LogEventLevel.Information)
            foreach (var category in warningsOnlyFrom ?? [])
                configuration.MinimumLevel.Override(category, (LogEventLevel)Math.Max((int)level, (int)LogEventLevel.Warning));
        // Stack traces only where asked for (detailed and diagnostic); at the normal level an exception is its one line.
        var template = level >= LogEventLevel.Information
            ? $"[{{Timestamp:HH:mm:ss}} {{Level:u3}}] {{Message:lj}}{{{ExceptionSummary.PropertyName}:l}}{{NewLine}}"
            : "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";
        return configuration
            .Enrich.FromLogContext()
            .Enrich.With<ControlCharacterEscaper>()
            .Enrich.With<ExceptionSummary>()
            .WriteTo.Console(outputTemplate: template, standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
    }
}
