using Serilog;
using Serilog.Events;

namespace Atlas.Cli.Console;

/// <summary>Serilog to standard error (standard output belongs to progress and results), structured and leveled.</summary>
public static class Logging
{
    public static ILogger Create(LogEventLevel level)
    {
        // Orleans and the hosting stack are chatty (Polly logs every placement attempt, and a silo warns
        // about GC mode and start-up stalls): errors only by default, warnings at detailed, debug at diagnostic.
        var frameworkLevel = level switch
        {
            LogEventLevel.Verbose => LogEventLevel.Debug,
            LogEventLevel.Debug => LogEventLevel.Warning,
            _ => (LogEventLevel)Math.Max((int)level, (int)LogEventLevel.Error),
        };
        return new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Orleans", frameworkLevel)
            .MinimumLevel.Override("Microsoft", frameworkLevel)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With<ControlCharacterEscaper>()
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
    }
}
