using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atlas.Cli.Commands;
using Atlas.Core.Configuration;

namespace Atlas.Cli;

/// <summary>
/// Names the config file in an error about one of its fields. Errors found while the file is read already start
/// with it; those found later (an unknown layer once the model is loaded, a data folder missing, a silo that
/// cannot see a path) name only the field, which leaves the user guessing which file when several are in play.
/// </summary>
internal static class ConfigFieldErrors
{
    // The config's top-level fields as a file spells them, so a field added to AtlasConfig is covered without a list here.
    private static readonly Regex StartsWithConfigField = new(
        $"^({string.Join('|', typeof(AtlasConfig).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)))})[.\\[:]");

    /// <summary>The message, led by the config file the command was given when it opens with one of that file's fields.</summary>
    public static string WithConfigFile(ParseResult parse, string message)
    {
        var argument = parse.CommandResult.Command.Arguments.OfType<Argument<FileInfo>>().FirstOrDefault(a => a.Name == ConfigArguments.ArgumentName);
        if (argument is null || parse.GetValue(argument) is not { } file || !StartsWithConfigField.IsMatch(message)) return message;
        return $"{file.FullName}: {message}";
    }
}
