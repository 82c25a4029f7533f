using Serilog.Core;
using Serilog.Events;

namespace Atlas.Cli.Console;

/// <summary>
/// A log line's exception as one line, " (Type: first line of its message)", for the normal and quieter levels: the
/// framework's errors of routine events (a peer silo's death, a storage outage) otherwise came with stack traces of
/// dozens of lines each. `--verbosity detailed` and `diagnostic` print the whole exception, as the exit line says.
/// </summary>
internal sealed class ExceptionSummary : ILogEventEnricher
{
    public const string PropertyName = "ExceptionSummary";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var summary = logEvent.Exception is { } e ? $" ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()})" : "";
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(PropertyName, summary));
    }
}
