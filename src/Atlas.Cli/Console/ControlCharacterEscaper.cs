using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace Atlas.Cli.Console;

/// <summary>
/// Writes control characters in logged strings as \u001b and the like. File names come from users' folders: one
/// holding terminal escapes (colours, a window title) reached the terminal as they were in a skipped-image warning.
/// </summary>
public sealed class ControlCharacterEscaper : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        // Collected first, since the properties cannot change while they are enumerated; most events have none to escape.
        List<LogEventProperty>? escaped = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && text.Any(char.IsControl))
                (escaped ??= []).Add(new LogEventProperty(name, new ScalarValue(Escape(text))));
        }
        foreach (var property in escaped ?? []) logEvent.AddOrUpdateProperty(property);
    }

    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (char.IsControl(c)) escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else escaped.Append(c);
        }
        return escaped.ToString();
    }
}
