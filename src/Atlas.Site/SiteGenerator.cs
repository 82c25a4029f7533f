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

        var atlases = await AtlasCatalog.LoadAsync(store, options.Include, progress, ct);
        using var staging = StagingFolder.Create(output);
        var writer = new SiteWriter(staging.Path);
        await SiteAssets.WriteAsync(writer, ct);
        foreach (var atlas in atlases)
        {
            await WriteAtlasAsync(store, atlas, writer, options, progress, ct);
        }
        await writer.WritePageAsync(SitePath.Home, HomePage.Render(options, atlases), ct);

        ct.ThrowIfCancellationRequested();
        var warning = staging.Commit();
        if (warning is not null) progress?.Report(warning);
        progress?.Report($"site written to {output}: {atlases.Count} atlas version(s), {writer.Pages} pages, {writer.Images} images");
        return new SiteResult(output, atlases.Count, writer.Pages, writer.Images, writer.Bytes);
    }

    private static async Task WriteAtlasAsync(
        IArtifactStore store, AtlasLayout atlas, SiteWriter writer, SiteOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        progress?.Report($"{atlas.Root}: copying images");
        var sizes = await ImageCopier.CopyAsync(store, atlas, writer, options.MaxParallelCopies, ct);
        var context = new AtlasContext(atlas, new ImageTags(atlas, sizes), options);

        await writer.WritePageAsync(atlas.IndexPage, ModelPage.Render(context), ct);
        foreach (var layer in atlas.Layers)
        {
            progress?.Report($"{atlas.Root}: layer {layer.Layer.Name} ({layer.Units.Count} units)");
            await writer.WritePageAsync(layer.IndexPage, LayerPage.Render(context, layer), ct);
            for (var i = 0; i < layer.Units.Count; i++)
            {
                await writer.WritePageAsync(layer.UnitPage(layer.Units[i]), UnitPage.Render(context, layer, i), ct);
            }
        }
    }
}
