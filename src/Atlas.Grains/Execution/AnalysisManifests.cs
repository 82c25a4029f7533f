using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

/// <summary>
/// Puts the analysis units' results into the atlas manifest: layer statistics and filter picture,
/// each unit's circuit inputs (from its own layer's analysis) and outputs (from the next layer's),
/// class spread, and the heatmap keys of its top examples. Layers without analysis stay as they are.
/// </summary>
public sealed class AnalysisManifests
{
    private readonly IReadOnlyDictionary<string, AnalysisWork> byLayer;

    private AnalysisManifests(IReadOnlyDictionary<string, AnalysisWork> byLayer) => this.byLayer = byLayer;

    public static async Task<AnalysisManifests> LoadAsync(UnitContext context)
    {
        var found = new Dictionary<string, AnalysisWork>();
        foreach (var plan in context.Spec.Layers)
        {
            // A layer whose analysis failed for good has no manifest: the atlas shows it without analysis.
            if (await context.Store.GetJsonAsync<AnalysisWork>(context.Keys.AnalysisWork(plan.Name), context.Cancellation) is { } work)
                found[plan.Name] = work;
        }
        return new AnalysisManifests(found);
    }

    public LayerManifest Apply(LayerManifest layer)
    {
        var own = byLayer.GetValueOrDefault(layer.Name);
        var next = byLayer.Values.FirstOrDefault(w => w.PreviousLayer == layer.Name);
        if (own is null && next is null) return layer;
        var units = layer.Units.Select(unit => unit with
        {
            Inputs = own?.Inputs.GetValueOrDefault(unit.Index) ?? unit.Inputs,
            Outputs = next?.PreviousOutputs.GetValueOrDefault(unit.Index) ?? unit.Outputs,
            ClassSpread = own?.ClassSpreads.GetValueOrDefault(unit.Index) ?? unit.ClassSpread,
            TopExamples = own?.Heatmaps.GetValueOrDefault(unit.Index) is { } heatmaps
                ? unit.TopExamples.Select(e => heatmaps.TryGetValue(e.ImageIndex, out var key) ? e with { HeatmapKey = key } : e).ToList()
                : unit.TopExamples,
        }).ToList();
        return layer with { Stats = own?.Stats ?? layer.Stats, WeightsKey = own?.WeightsKey ?? layer.WeightsKey, Units = units };
    }
}
