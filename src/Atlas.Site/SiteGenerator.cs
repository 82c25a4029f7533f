using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Site.Output;
using Atlas.Site.Pages;
using Atlas.Storage;

namespace Atlas.Site;

/// <summary>
/// Generates the static Circuit Atlas site from every atlas manifest in a store: a home page, a page
/// per model version, per layer and per unit, and a copy of every image they show. The site is
/// written into a fresh folder beside the output and moved into place only when all of it was
/// written, so a failed generation leaves the previous site as it was.
/// </summary>
public sealed class SiteGenerator
{
    public async Task<SiteResult> GenerateAsync(
        IArtifactStore store, string outputDirectory, SiteOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDirectory));
        if (Path.GetDirectoryName(output) is null)
            throw new SiteGenerationException($"the output folder '{output}' is a file system root; choose a folder below it");

        // The lock before the store is read: a generation that waited must publish what the store holds once it is its
        // turn, not an older view (an `atlas publish` that read the store before a watcher's newer version went in).
        using var publishLock = await PublishLock.AcquireAsync(output, options.Waiting, ct);
        var atlases = await AtlasCatalog.LoadAsync(store, options.Include, progress, ct);
        using var staging = StagingFolder.Create(output, publishLock);
        var writer = new SiteWriter(staging.Path);
        await SiteAssets.WriteAsync(writer, ct);

        // Images first, for every version: pages carry each image's size, and cross-version links need every version's layout.
        var contexts = new List<AtlasContext>(atlases.Count);
        var previous = options.KeepUnchangedImages
            ? await PreviousSiteImages.OpenAsync(store, options.PreviousSite ?? (Directory.Exists(output) ? new FolderSite(output) : null), atlases, ct)
            : null;
        foreach (var atlas in atlases)
        {
            progress?.Report($"{atlas.Root}: copying images");
            var keptBefore = previous?.Kept ?? 0;
            var sizes = await ImageCopier.CopyAsync(store, atlas, writer, options, previous, ct);
            if (previous is not null && previous.Kept > keptBefore)
                progress?.Report($"{atlas.Root}: {previous.Kept - keptBefore} image(s) unchanged in the store, kept from the previous site");
            contexts.Add(new AtlasContext(atlas, new ImageTags(atlas, sizes), options, atlases));
        }
        foreach (var context in contexts) await WriteAtlasAsync(context, writer, progress, ct);
        await writer.WritePageAsync(SitePath.Home, HomePage.Render(options, contexts), ct);

        ct.ThrowIfCancellationRequested();
        var warning = staging.Commit();
        if (warning is not null) progress?.Report(warning);
        progress?.Report($"site written to {output}: {atlases.Count} atlas version(s), {writer.Pages} pages, {writer.Images} images");
        return new SiteResult(output, atlases.Count, writer.Pages, writer.Images, writer.Bytes, previous?.Kept ?? 0);
    }

    private static async Task WriteAtlasAsync(AtlasContext context, SiteWriter writer, IProgress<string>? progress, CancellationToken ct)
    {
        var atlas = context.Atlas;
        // The model page, the search page and each layer's page, and every unit's.
        var written = new StepCounter(context.Options.Counts, $"{atlas.Root}: pages", 2 + atlas.Layers.Sum(l => 1 + l.Units.Count));
        await writer.WritePageAsync(atlas.IndexPage, ModelPage.Render(context), ct);
        await writer.WritePageAsync(atlas.SearchPage, SearchPage.Render(context), ct);
        await writer.WriteAssetAsync(atlas.SearchIndex, SearchPage.Index(context), ct);
        written.Advance(2);
        foreach (var layer in atlas.Layers)
        {
            progress?.Report($"{atlas.Root}: layer {layer.Layer.Name} ({layer.Units.Count} units)");
            await writer.WritePageAsync(layer.IndexPage, LayerPage.Render(context, layer), ct);
            written.Advance();
            for (var i = 0; i < layer.Units.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                await writer.WritePageAsync(layer.UnitPage(layer.Units[i]), UnitPage.Render(context, layer, i), ct);
                written.Advance();
            }
        }
    }
}
