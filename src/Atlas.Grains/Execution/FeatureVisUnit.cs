using Atlas.Abstractions;
using Atlas.Core.Imaging;
using Atlas.Core.Rendering;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

/// <summary>
/// Renders every picture of units [Start, End) of one layer — channel, negative, neuron and diversity
/// pictures as the config asks — in one batched optimisation, and stores a PNG per picture.
/// </summary>
public static class FeatureVisUnit
{
    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var unit = context.Unit;
        var layer = unit.Layer ?? throw new InvalidOperationException($"feature-vis unit {unit.Id} names no layer");
        var fv = context.Config.FeatureVis;
        var computed = await context.Compute(() =>
        {
            var (model, catalog, batcher) = context.Models.GetForRendering(context.Config);
            var plan = UnitVisPlanner.Plan(catalog, layer, unit.Start, unit.End, FeatureVisSettings.Units(fv), model.ClassNames);
            var settings = FeatureVisSettings.Render(fv, model.Input);
            var images = batcher.Render(plan.Select(p => p.Item).ToList(), settings, fv.MaxBatch, context.Cancellation);
            return plan.Zip(images, (p, image) => (Plan: p, Image: image)).ToList();
        });
        // Encoding (and measuring each picture's contrast) is CPU work: it runs after the device is released, so another
        // worker's unit can use it.
        var pictures = computed.AsParallel().AsOrdered()
            .Select(r => (r.Plan, r.Image, Key: context.Keys.UnitVis(layer, r.Plan.Unit, r.Plan.Kind),
                Png: PngEncoder.Encode(r.Image.Pixels, r.Image.Channels, r.Image.Height, r.Image.Width),
                Contrast: PictureContrast.Of(r.Image.Pixels, r.Image.Channels)))
            .ToList();
        await context.Store.PutManyAsync(pictures.Select(p => new ArtifactWrite(p.Key, p.Png, "image/png")), context.Cancellation);

        var rendered = new List<RenderedUnit>();
        foreach (var group in pictures.GroupBy(p => p.Plan.Unit))
        {
            var artifacts = group.Select(p =>
                new VisArtifact(p.Plan.Kind, p.Key, p.Image.ObjectiveDescription, p.Image.Objective, fv.Seed) { Contrast = p.Contrast }).ToList();
            var main = artifacts.FirstOrDefault(a => a.Kind == UnitVisPlanner.ChannelKind) ?? artifacts[0];
            rendered.Add(new RenderedUnit(group.Key, main.Key, main.Objective, main.ObjectiveDescription, artifacts));
        }
        // The manifest goes last: once it exists, every image it names is already durable.
        var manifestKey = context.Keys.FeatureVisWork(layer, unit.Start, unit.End);
        await context.Store.PutJsonAsync(manifestKey, new FeatureVisWork(layer, unit.Start, unit.End, rendered), context.Cancellation);
        return new UnitResult(manifestKey, pictures.Count + 1, 0);
    }
}
