using Serilog;
using Serilog.Events;

namespace Atlas.Cli.Console;

/// <summary>Serilog to standard error (standard output belongs to progress and results), structured and leveled.</summary>
public static class Logging
{
    public static ILogger Create(LogEventLevel level)
    {
        // Orleans and the hosting stack are chatty at Information (Polly logs every placement
        // attempt); they only speak up at Warning unless diagnostics were asked for.
        var frameworkLevel = level <= LogEventLevel.Verbose ? LogEventLevel.Debug : LogEventLevel.Warning;
        return new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Orleans", frameworkLevel)
            .MinimumLevel.Override("Microsoft", frameworkLevel)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
    }
}
