using System.Text.Json;
using System.Text.RegularExpressions;

namespace Atlas.Core.Configuration;

/// <summary>
/// Puts System.Text.Json's errors about a config in the config's own terms: the field as the user wrote it and what it
/// takes, rather than .NET's type and member names ("could not be converted to System.Nullable`1[System.Int32]").
/// Errors of JSON syntax keep the reader's words, which are about the text.
/// </summary>
internal static partial class ConfigJsonErrors
{
    /// <summary>"field: problem", without the file, for <paramref name="error"/> raised while reading <paramref name="json"/>.</summary>
    public static string Describe(JsonException error, string json, JsonSerializerOptions options)
    {
        var message = FirstLine(error.Message);
        var field = error.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
        var described = UnknownField().Match(message) is { Success: true } unknown ? Unknown(field, unknown.Groups[1].Value, unknown.Groups[2].Value, options)
            : WrongType().Match(message) is { Success: true } wrong ? $"{field ?? "the config"}: takes {Kind(wrong.Groups[1].Value)}, not {Found(json, error.Path)}"
            : MissingRequired().Match(message) is { Success: true } missing ? Missing(field, missing.Groups[1].Value)
            : DuplicateField().Match(message) is { Success: true } ? $"{field ?? "the config"}: given twice (field names are matched without regard to case)"
            : $"invalid config: {(field is null ? "" : $"{field}: ")}{WithoutPath(message)}";
        return error.LineNumber is { } line ? $"{described} (line {line + 1}, byte {error.BytePositionInLine + 1})" : described;
    }

    private static string Unknown(string? field, string name, string typeName, JsonSerializerOptions options)
    {
        // The path of an unknown field already ends in its name.
        var where = field ?? name;
        var type = typeof(AtlasConfig).Assembly.GetType(typeName);
        if (type is null) return $"{where}: unknown field";
        var known = options.GetTypeInfo(type).Properties.Select(p => p.Name).ToList();
        var closest = known.Select(k => (Name: k, Distance: Distance(k.ToLowerInvariant(), name.ToLowerInvariant()))).MinBy(k => k.Distance);
        return closest.Name is not null && closest.Distance <= Math.Max(2, name.Length / 3)
            ? $"{where}: unknown field (did you mean '{closest.Name}'?)"
            : $"{where}: unknown field (known here: {string.Join(", ", known)})";
    }

    private static string Missing(string? field, string names)
    {
        var first = names.Split(',', StringSplitOptions.TrimEntries)[0].Trim('\'');
        return $"{(field is null ? "" : $"{field}.")}{first}: is required and missing";
    }

    /// <summary>What a .NET type takes, in a config's words.</summary>
    private static string Kind(string type)
    {
        var inner = NullableOf().Match(type) is { Success: true } nullable ? nullable.Groups[1].Value : type;
        return inner switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Single" or "System.Double" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            _ when inner.Contains("List`1", StringComparison.Ordinal) || inner.EndsWith("[]", StringComparison.Ordinal) => "a list ([…])",
            _ => "an object ({…})",
        };
    }

    /// <summary>The value at <paramref name="path"/> as the user wrote it, shortened; "this value" where it cannot be found.</summary>
    private static string Found(string json, string? path)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var element = document.RootElement;
            foreach (Match step in PathStep().Matches(path ?? ""))
            {
                if (step.Groups["index"].Success) element = element[int.Parse(step.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)];
                else element = element.EnumerateObject().First(p => string.Equals(p.Name, step.Groups["name"].Value, StringComparison.OrdinalIgnoreCase)).Value;
            }
            return element.ValueKind switch
            {
                JsonValueKind.String => $"the string {Shorten(element.GetRawText())}",
                JsonValueKind.Array => "a list",
                JsonValueKind.Object => "an object",
                _ => Shorten(element.GetRawText()),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IndexOutOfRangeException or KeyNotFoundException)
        {
            return "this value";
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : $"{text[..37]}…";

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    /// <summary>The reader's message repeats the path and adds its position ("… Path: $.a.b | LineNumber: …"); the field leads instead.</summary>
    private static string WithoutPath(string message) =>
        message.IndexOf(" Path: ", StringComparison.Ordinal) is > 0 and var cut ? message[..cut] : message;

    private static string FirstLine(string text) => text.Split('\n')[0].TrimEnd();

    [GeneratedRegex(@"^The JSON property '(.*)' could not be mapped to any \.NET member contained in type '([^']+)'")]
    private static partial Regex UnknownField();

    [GeneratedRegex(@"^The JSON value could not be converted to ([^ ]+?)\.( Path:|$)")]
    private static partial Regex WrongType();

    [GeneratedRegex(@"^JSON deserialization for type '[^']+' was missing required properties including: (.+)\.")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^Duplicate property '.*' encountered")]
    private static partial Regex DuplicateField();

    [GeneratedRegex(@"^System\.Nullable`1\[(.+)\]$")]
    private static partial Regex NullableOf();

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();
}
