using Serilog.Events;

namespace Atlas.Cli.Console;

/// <summary>The .NET CLI's verbosity names (q[uiet], m[inimal], n[ormal], d[etailed], diag[nostic]); 'debug' is detailed.</summary>
public static class Verbosity
{
    public static readonly string[] Names = ["quiet", "minimal", "normal", "detailed", "diagnostic", "debug"];

    public static LogEventLevel Parse(string? value) => (value ?? "normal").ToLowerInvariant() switch
    {
        "q" or "quiet" => LogEventLevel.Error,
        "m" or "minimal" => LogEventLevel.Warning,
        "n" or "normal" => LogEventLevel.Information,
        "d" or "detailed" or "debug" => LogEventLevel.Debug,
        "diag" or "diagnostic" => LogEventLevel.Verbose,
        var other => throw new Core.AtlasInputException($"--verbosity: '{other}' is not one of quiet, minimal, normal, detailed, diagnostic"),
    };

    /// <summary>Stack traces are for people who asked for detail.</summary>
    public static bool ShowsStackTraces(LogEventLevel level) => level <= LogEventLevel.Debug;
}
