using System.CommandLine;
using Atlas.Site;
using Atlas.Site.Publishing;
using Atlas.Core;
using Atlas.Storage;
using Serilog.Extensions.Logging;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas publish --store LOC (--out DIR | --to TARGET)`: (re)generate the static site from the
/// atlases in a store, into a folder (replaced atomically) or a blob container such as the static
/// website's `$web` (uploaded so that readers never see a half-published version).
/// </summary>
public static class PublishCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "Artifact store to read atlases from (folder or azure-blob://container)", Required = true };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder to write the site into (replaced atomically)" };
        var to = new Option<string?>("--to")
        {
            Description = "Where to publish instead of --out: a folder, or azure-blob://$web (static website) or azure-blob://<container>, " +
                          $"with the connection string in ${ArtifactStores.DefaultConnectionVariable} (or ?connection=<ENV_VAR>)",
        };
        var only = new Option<string[]>("--atlas") { Description = "Include only these atlases (name or name/version); repeatable", AllowMultipleArgumentsPerToken = true };
        var title = new Option<string>("--title") { Description = "Site title", DefaultValueFactory = _ => "Circuit Atlas" };
        var command = new Command("publish", "Write the static site of the atlases in a store to a folder or a blob container") { store, output, to, only, title };
        command.Validators.Add(result =>
        {
            var hasOut = result.GetResult(output) is not null;
            var hasTo = result.GetResult(to) is not null;
            if (hasOut == hasTo) result.AddError("publish needs exactly one of --out DIR or --to TARGET");
        });
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            var selectors = parse.GetValue(only) ?? [];
            var heading = parse.GetValue(title)!;
            if (string.IsNullOrWhiteSpace(heading) || heading.Any(char.IsControl))
                throw new AtlasInputException("--title: is blank or holds a control character (a tab, newline, NUL or escape); every page is headed by it");
            var options = new SiteOptions
            {
                Title = heading,
                Include = selectors.Length > 0 ? SiteOptions.Selecting(selectors) : null,
                Waiting = message => logger.Information("{Waiting}", message),
            };
            var target = Target(parse.GetValue(to), parse.GetValue(output), parse.GetValue(store)!);
            var opened = ArtifactStores.Open(parse.GetValue(store)!);
            await EnsureStoreExistsAsync(opened, cancellationToken);
            // Read through the outage retries the workers use: a blip does not end a long publish, and a longer outage
            // ends it with one line naming the store (the site being replaced stays as it was).
            using var loggerFactory = new SerilogLoggerFactory(logger);
            var source = ArtifactStores.OpenResilient(parse.GetValue(store)!, loggerFactory.CreateLogger("Atlas"));
            await EnsureEachSelectorMatchesAsync(source, selectors, cancellationToken);
            var progress = new Progress<string>(message => logger.Debug("{SiteProgress}", message));
            PublishResult result;
            try
            {
                result = await Pipeline.PublishProgress.ShowAsync(logger, counts =>
                    SitePublisher.PublishAsync(source, target, options with { Counts = counts }, progress, cancellationToken));
            }
            catch (SiteGenerationException e) when (e.InnerException is Azure.RequestFailedException or AggregateException)
            {
                // The publisher cannot know the option; the blob target that could not be reached is --to's.
                throw new AtlasInputException($"--to: {e.Message}", e);
            }
            catch (SitePublishException e)
            {
                // An upload that failed part-way is not bad input, and its own message says what readers now see.
                await System.Console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.InternalError;
            }
            var site = result.Site;
            if (site.Atlases == 0) logger.Warning("{Store} holds no atlas yet: the site's home page says so", source.Description);
            // Escaped, so a folder named with '#' or '?' still makes a link that opens.
            var where = result.Blob is null ? new Uri(result.Location).AbsoluteUri : result.Location;
            Pipeline.PublishSummary.Write(site, where);
            if (result.Blob is { } blob)
            {
                AnsiConsole.MarkupLineInterpolated($"  {blob.Uploaded} file(s) uploaded, {blob.Unchanged} unchanged, {blob.Deleted} stale file(s) deleted");
                if (Pipeline.PublishSummary.PrivateContainerHint(blob) is { } hint) AnsiConsole.MarkupLineInterpolated($"  [yellow]{hint}[/]");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Where the site goes: a blob container, or a folder (--out, or --to as a path or file:// URI) that nothing
    /// in the way stops from being one. Any other scheme is refused rather than taken for a folder named "s3:".
    /// </summary>
    private static string Target(string? to, DirectoryInfo? output, string store)
    {
        if (to is not null && BlobSiteTarget.IsBlobLocation(to)) return to;
        var (folder, option) = to is null ? (output!.FullName, "--out")
            : FileUris.IsFileUri(to) ? (Pipeline.OutputPaths.FileFolder(to, "--to"), "--to")
            : to.Contains("://", StringComparison.Ordinal) ? throw new AtlasInputException($"--to: '{to}' is not a folder, file:///folder or azure-blob://<container>")
            : (Path.GetFullPath(to), "--to");
        Pipeline.OutputPaths.EnsureCanBeFolder(folder, option);
        Pipeline.OutputPaths.EnsureSiteApart(folder, option, [("--store", Pipeline.OutputPaths.StoreFolder(store, "--store"))]);
        Pipeline.OutputPaths.EnsureSiteWritable(folder, option);
        return folder;
    }

    /// <summary>Each --atlas must match a version in the store: one that matches nothing is a typo, even beside one that does.</summary>
    private static async Task EnsureEachSelectorMatchesAsync(IArtifactStore store, IReadOnlyList<string> selectors, CancellationToken cancellationToken)
    {
        if (selectors.Count == 0) return;
        var versions = new List<(string Atlas, string Version)>();
        foreach (var key in await Storage.Manifests.StoreAtlases.ManifestKeysAsync(store, "", cancellationToken))
        {
            var parts = key.Split('/');
            versions.Add((parts[^3], parts[^2]));
        }
        foreach (var selector in selectors)
        {
            var matches = SiteOptions.Selecting([selector]);
            if (!versions.Any(v => matches(v.Atlas, v.Version)))
                throw new AtlasInputException($"--atlas: '{selector}' matches no atlas version in {store.Description} (it holds: {(versions.Count == 0 ? "none" : string.Join(", ", versions.Select(v => $"{v.Atlas}/{v.Version}")))})");
        }
    }

    /// <summary>A mistyped store is bad input, not an empty site published over the real one.</summary>
    private static async Task EnsureStoreExistsAsync(IArtifactStore store, CancellationToken cancellationToken)
    {
        if (store is LocalFolderArtifactStore folder && !Directory.Exists(folder.Root))
            throw new AtlasInputException(File.Exists(folder.Root) ? $"--store: '{folder.Root}' is a file, not a store folder" : $"--store: folder '{folder.Root}' does not exist");
        if (store is not AzureBlobArtifactStore blob) return;
        bool exists;
        try
        {
            exists = await blob.Container.ExistsAsync(cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException)
        {
            throw new AtlasInputException($"--store: {store.Description} could not be reached ({ErrorCause.Of(e)})", e);
        }
        if (!exists) throw new AtlasInputException($"--store: blob container '{blob.Container.Name}' does not exist in that account");
    }
}
