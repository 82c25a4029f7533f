using System.CommandLine;
using Atlas.Cli.Pipeline;
using Atlas.Core;
using Atlas.Core.Configuration;

namespace Atlas.Cli.Commands;

/// <summary>The config argument and its output overrides, shared by `run`, `submit`, `watch` and `plan`.</summary>
public sealed class ConfigArguments
{
    public const string ArgumentName = "config";

    public Argument<FileInfo> Config { get; } = new(ArgumentName) { Description = "Atlas config file (see atlas-configs/ and docs/config-reference.md)" };
    public Option<DirectoryInfo?> Out { get; } = new("--out", "-o") { Description = "Publish the site here instead of the config's output.site" };
    public Option<string?> Store { get; } = new("--store") { Description = "Artifact store (folder or azure-blob://container) instead of the config's output.store" };

    /// <summary>`plan` publishes nothing: its --out and --store say which site and store to describe.</summary>
    public void DescribeForPlan()
    {
        Out.Description = "The site folder to plan for (`atlas run --out`) instead of the config's output.site";
        Store.Description = "The artifact store to look in (`atlas run --store`) instead of the config's output.store";
    }

    public void AddTo(Command command)
    {
        command.Arguments.Add(Config);
        command.Options.Add(Out);
        command.Options.Add(Store);
    }

    /// <param name="checkStore">
    /// Refuse a store this program cannot open, naming the field it came from (`--store` or `output.store`), before
    /// any work: false only where the verb never opens it.
    /// </param>
    public AtlasConfig Load(ParseResult parse, bool checkStore = true)
    {
        var path = parse.GetValue(Config)!.FullName;
        var config = AtlasConfigLoader.Load(path);
        EnsureWatchSectionValid(config, path);
        config = config with
        {
            Output = config.Output with
            {
                Site = parse.GetValue(Out)?.FullName ?? config.Output.Site,
                Store = parse.GetValue(Store) ?? config.Output.Store,
            },
        };
        if (checkStore) StoreLocations.EnsureValid(config.Output.Store, FieldsOf(parse).Store);
        return config;
    }

    /// <summary>
    /// A watch section's schedule is checked whatever the verb: `run` and `plan` ignore the section, but a config they
    /// accepted would otherwise fail only when a watcher is started from it, perhaps on a cluster. (Its source is
    /// `watch`'s to check: a blob source needs a connection variable that the machine running `run` may lack.)
    /// </summary>
    private static void EnsureWatchSectionValid(AtlasConfig config, string path)
    {
        if (config.Watch is null) return;
        try
        {
            Grains.Watchers.WatchSchedule.Parse(config.Watch.Schedule);
        }
        catch (Exception e) when (e is AtlasInputException or ArgumentException)
        {
            throw new AtlasInputException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The names the site folder and store go by in this command's errors: the option when one was given.</summary>
    public OutputFields FieldsOf(ParseResult parse) => new(
        parse.GetValue(Out) is null ? OutputFields.FromConfig.Site : "--out",
        parse.GetValue(Store) is null ? OutputFields.FromConfig.Store : "--store");
}
