using System.Globalization;
using System.Text.RegularExpressions;

namespace Atlas.Cli.Console;

/// <summary>
/// Rewords System.CommandLine's value errors for people who have not read .NET's type names:
/// "Cannot parse argument 'abc' for option '--steps' as expected type 'System.Int32'" becomes
/// "option '--steps' takes a whole number, not 'abc'". Other errors pass through unchanged.
/// </summary>
public static partial class ParseErrorWording
{
    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?<kind>option|command) '(?<name>.*)' as expected type '(?<type>[^']+)'\.?$", RegexOptions.Singleline)]
    private static partial Regex TypedValueError();

    public static string Plain(string message)
    {
        var match = TypedValueError().Match(message);
        if (!match.Success) return message;
        var value = match.Groups["value"].Value;
        var subject = match.Groups["kind"].Value == "option" ? $"option '{match.Groups["name"].Value}'" : $"'{match.Groups["name"].Value}'";
        return $"{subject} takes {Expected(match.Groups["type"].Value, value)}, not '{value}'";
    }

    private static string Expected(string type, string value) => type switch
    {
        // A run of digits that did not parse is out of range, and "not a whole number" would be wrong about it.
        "System.Int32" when IsInteger(value) => $"a whole number from {int.MinValue} to {int.MaxValue}",
        "System.Int32" => "a whole number",
        "System.Double" => "a number",
        "System.Boolean" => "true or false",
        _ => $"a value of type {type[(type.LastIndexOf('.') + 1)..]}",
    };

    private static bool IsInteger(string value) =>
        BigIntegerLike().IsMatch(value) && !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    [GeneratedRegex(@"^[+-]?[0-9]+$")]
    private static partial Regex BigIntegerLike();
}
