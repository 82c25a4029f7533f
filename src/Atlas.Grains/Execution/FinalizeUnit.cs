using Atlas.Abstractions;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Atlas.Core.Training;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

/// <summary>
/// Assembles the atlas manifest from the units' manifests. It is the only thing the site reads, and it
/// is written last, so an atlas is either complete in the store or not listed at all.
/// </summary>
public static class FinalizeUnit
{
    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var config = context.Config;
        // Only what describes the model leaves the device section: the cached model itself may be swapped after it.
        var (architecture, input, classNames, catalog, logits) = await context.Compute(() =>
        {
            var (model, layers) = context.Models.Get(config);
            return (model.Architecture, model.Input, model.ClassNames, layers, AccuracyTally.LogitsOf(model, layers));
        });
        var merged = await context.Store.GetJsonAsync<MergedExamplesWork>(context.Keys.MergedExamplesWork, context.Cancellation);
        var analysis = await AnalysisManifests.LoadAsync(context);
        // Probe responses of this version, the atlas's other versions, and each unit's best match in them.
        var versions = await VersionComparison.RunAsync(context);
        // Open to the end: it names the data set and, for an image folder, the examples' files.
        using var data = DatasetOpener.Open(config.Dataset);
        // An image folder has no splits: its config's split (default "test") would only mislead.
        var dataset = new DatasetInfo(data.Name, config.Dataset.Kind == "image-folder" ? "" : config.Dataset.Split, data.Count, data.ClassNames)
        {
            Unreadable = merged?.Unreadable,
        };

        // Logit labels come from the model, which has names only when they are known to match its
        // outputs: an ImageNet model atlased on a 10-class subset folder must not borrow those 10 names.
        var layers = new List<LayerManifest>();
        foreach (var plan in context.Spec.Layers)
        {
            var info = catalog.Single(l => l.Name == plan.Name);
            var rendered = new Dictionary<int, RenderedUnit>();
            foreach (var key in UnitOutputs.Of(context.Spec, WorkKind.FeatureVis, plan.Name))
            {
                var work = await context.Store.GetJsonAsync<FeatureVisWork>(key, context.Cancellation);
                foreach (var unit in work?.Units ?? []) rendered[unit.Index] = unit;
            }
            var hits = merged?.Layers.GetValueOrDefault(plan.Name);
            var units = Enumerable.Range(0, plan.Units)
                .Where(rendered.ContainsKey) // a unit whose rendering failed for good is left out, not faked
                .Select(i => new UnitManifest(
                    i,
                    info.Kind == LayerKind.Linear && i < classNames.Count ? classNames[i] : null,
                    rendered[i].ObjectiveDescription,
                    rendered[i].VisKey,
                    rendered[i].Objective,
                    (hits is not null && i < hits.Length ? hits[i] : [])
                        .Select(h => new ExampleRef(h.Image, h.Value, h.Y, h.X, h.Label, merged!.ImageKeys[h.Image]))
                        .ToList())
                {
                    Visualizations = rendered[i].Visualizations ?? [],
                })
                .ToList();
            layers.Add(versions.Apply(analysis.Apply(new LayerManifest(info.Name, info.Kind == LayerKind.Conv ? "conv" : "linear", info.Channels, info.Height, info.Width, units))));
        }

        var named = ExampleFiles.Name(layers, data, config.Dataset.Path);

        var checkpoint = config.Model.Checkpoint;
        var metadata = DemoTrainer.ReadMetadata(checkpoint);
        var fv = config.FeatureVis;
        var render = FeatureVisSettings.Render(fv, input);
        var manifest = new AtlasManifest
        {
            Atlas = context.Spec.Atlas,
            Version = context.Spec.Version,
            Title = config.Title ?? config.Name,
            CreatedAt = DateTimeOffset.UtcNow,
            Model = new ModelInfo(architecture, Path.GetFileName(checkpoint), ModelLoader.Sha256(checkpoint),
                input.Channels, input.Height, input.Width, metadata?.TestAccuracy),
            Dataset = dataset,
            Recipe = new RecipeInfo(FeatureVisSettings.Describe(render, input.Channels), fv.Steps, fv.LearningRate, fv.Seed,
                fv.ImageSize ?? input.Height, render.TransformsFor(fv.ImageSize ?? Math.Max(input.Height, input.Width)).Description),
            Layers = named,
            OtherVersions = versions.OtherVersions,
            Accuracy = Accuracy(merged, logits, dataset, await CopiedShardsFromAsync(context, logits)),
        };
        await context.Store.PutJsonAsync(context.Keys.Manifest, manifest, context.Cancellation);
        return new UnitResult(context.Keys.Manifest, 1, 0);
    }

    /// <summary>
    /// The version this job's dataset shards may have been copied from, when that leaves their count stale: shards are
    /// copied when every atlas layer has the earlier version's weights up to it, and if the logits are not an atlas layer
    /// the weights that differ (a fine-tuned head) lie past them, so the copied count is the earlier head's.
    /// </summary>
    private static async Task<string?> CopiedShardsFromAsync(UnitContext context, LayerInfo? logits)
    {
        if (logits is null || context.Spec.Layers.Any(l => l.Name == logits.Name)) return null;
        var reuse = await context.Store.GetJsonAsync<ReusePlanWork>(new WatchKeys(context.Spec.Atlas, context.Spec.Version).ReusePlan, context.Cancellation);
        return reuse is not null && context.Spec.Layers.All(l => reuse.Layers.Contains(l.Name)) ? reuse.FromVersion : null;
    }

    /// <summary>The shards' summed count, or why there is none, so the site can say so rather than show a bare dash.</summary>
    private static DatasetAccuracy Accuracy(MergedExamplesWork? merged, LayerInfo? logits, DatasetInfo dataset, string? copiedFrom)
    {
        if (AccuracyTally.Unmeasurable(logits, dataset.ClassNames.Count) is { } reason) return DatasetAccuracy.Unmeasured(reason);
        if (copiedFrom is not null)
            return DatasetAccuracy.Unmeasured($"the dataset pass was copied from version {copiedFrom}, whose weights past the atlas's layers differ (add {logits!.Name} to layers to count it)");
        if (merged?.Accuracy is { Images: > 0 } counted) return counted;
        return DatasetAccuracy.Unmeasured(merged?.Accuracy is null
            ? "the dataset pass did not count it (its work was made by an earlier version of the atlas)"
            : "none of the data set's images is labelled");
    }
}
