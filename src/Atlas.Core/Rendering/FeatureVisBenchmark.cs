using System.Diagnostics;
using Atlas.Core.Models;

namespace Atlas.Core.Rendering;

/// <summary>One measured way of rendering the same units.</summary>
public sealed record FeatureVisBenchFigure(string Mode, int Units, int Pictures, int Optimizations, int Steps, double Seconds)
{
    public double UnitsPerSecond => Units / Seconds;
    public double PicturesPerSecond => Pictures / Seconds;
}

/// <summary>
/// Renders the same units of one layer four ways, in one process so the figures compare: the channel
/// picture alone, batched (all units in one optimisation) and one at a time (how Lucent is used); and
/// the atlas's full set per unit (channel, negative, neuron, diversity), batched and one unit at a time.
/// </summary>
public static class FeatureVisBenchmark
{
    public static IReadOnlyList<FeatureVisBenchFigure> Run(IAtlasModel model, IReadOnlyList<LayerInfo> catalog, string layer, int units,
        RenderSettings settings, UnitVisOptions fullSet, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var info = catalog.FirstOrDefault(l => l.Name == layer)
            ?? throw new AtlasInputException($"--layer: the model has no layer '{layer}' (layers: {string.Join(", ", catalog.Select(l => l.Name))})");
        units = Math.Min(units, info.Channels);
        var channelOnly = new UnitVisOptions { Negative = false, Neuron = false, Diversity = false, Seed = fullSet.Seed };
        var plans = new[] { ("channel picture", channelOnly), ("full set", fullSet) };

        // Warm-up: the first optimisation pays for allocations and kernel selection.
        FeatureVisRenderer.Render(model, Plan(catalog, layer, 0, 1, channelOnly), settings with { Steps = 2 }, cancellationToken: cancellationToken);

        var figures = new List<FeatureVisBenchFigure>();
        foreach (var (name, options) in plans)
        {
            var all = Plan(catalog, layer, 0, units, options);
            progress?.Report($"{name}: {units} units in one optimisation of {all.Count} pictures");
            figures.Add(Time($"{name}, batched", units, all.Count, 1, settings, () => FeatureVisRenderer.Render(model, all, settings, cancellationToken: cancellationToken)));
            progress?.Report($"{name}: {units} units one at a time");
            figures.Add(Time($"{name}, one unit at a time", units, all.Count, units, settings, () =>
            {
                for (int unit = 0; unit < units; unit++)
                    FeatureVisRenderer.Render(model, Plan(catalog, layer, unit, unit + 1, options), settings, cancellationToken: cancellationToken);
            }));
        }
        return figures;
    }

    private static List<VisItem> Plan(IReadOnlyList<LayerInfo> catalog, string layer, int start, int end, UnitVisOptions options) =>
        UnitVisPlanner.Plan(catalog, layer, start, end, options).Select(p => p.Item).ToList();

    private static FeatureVisBenchFigure Time(string mode, int units, int pictures, int optimizations, RenderSettings settings, Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return new FeatureVisBenchFigure(mode, units, pictures, optimizations, settings.Steps, clock.Elapsed.TotalSeconds);
    }
}
