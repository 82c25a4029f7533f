using Atlas.Abstractions;
using Atlas.Core.Imaging;
using Atlas.Core.Rendering;
using Atlas.Storage;

namespace Atlas.Grains.Execution;

/// <summary>Renders units [Start, End) of one layer in one batched optimisation and stores a PNG per unit.</summary>
public static class FeatureVisUnit
{
    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var unit = context.Unit;
        var layer = unit.Layer ?? throw new InvalidOperationException($"feature-vis unit {unit.Id} names no layer");
        var fv = context.Config.FeatureVis;
        var request = new FeatureVisRequest(layer, Enumerable.Range(unit.Start, unit.End - unit.Start).ToList(), fv.Steps, fv.LearningRate, fv.Seed, fv.Jitter);
        var images = await context.Compute(() =>
        {
            var (model, _) = context.Models.Get(context.Config);
            return FeatureVisRenderer.Render(model, request, cancellationToken: context.Cancellation)
                .Select(r => (Result: r, Png: PngEncoder.Encode(r.Pixels, r.ChannelsPerPixel, r.Height, r.Width)))
                .ToList();
        });

        var rendered = new List<RenderedUnit>();
        foreach (var (result, png) in images)
        {
            var key = context.Keys.UnitVis(layer, result.Channel);
            await context.Store.PutAsync(key, png, "image/png", context.Cancellation);
            rendered.Add(new RenderedUnit(result.Channel, key, result.Objective, request.ObjectiveDescription(result.Channel)));
        }
        // The manifest goes last: once it exists, every image it names is already durable.
        var manifestKey = context.Keys.FeatureVisWork(layer, unit.Start, unit.End);
        await context.Store.PutJsonAsync(manifestKey, new FeatureVisWork(layer, unit.Start, unit.End, rendered), context.Cancellation);
        return new UnitResult(manifestKey, rendered.Count + 1, 0);
    }
}
