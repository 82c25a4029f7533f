using System.CommandLine;
using Atlas.Site;
using Atlas.Storage;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>`atlas publish --store LOC --out DIR`: (re)generate the static site from the atlases in a store.</summary>
public static class PublishCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "Artifact store to read atlases from (folder or azure-blob://container)", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder to write the site into (replaced atomically)", Required = true };
        var only = new Option<string[]>("--atlas") { Description = "Include only these atlases (name or name/version); repeatable", AllowMultipleArgumentsPerToken = true };
        var title = new Option<string>("--title") { Description = "Site title", DefaultValueFactory = _ => "Circuit Atlas" };
        var command = new Command("publish", "Write the static site of the atlases in a store to a folder") { store, output, only, title };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            var selectors = parse.GetValue(only) ?? [];
            var options = new SiteOptions
            {
                Title = parse.GetValue(title)!,
                Include = selectors.Length > 0 ? SiteOptions.Selecting(selectors) : null,
            };
            var site = await new SiteGenerator().GenerateAsync(ArtifactStores.Open(parse.GetValue(store)!), parse.GetValue(output)!.FullName, options,
                new Progress<string>(message => logger.Debug("{SiteProgress}", message)), cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"[green]Published[/] {site.Atlases} atlas version(s), {site.Pages} pages, {site.Images} images: file://{Path.Combine(site.OutputDirectory, "index.html")}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
