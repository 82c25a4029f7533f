using System.Diagnostics;
using Atlas.Core.Models;

namespace Atlas.Core.Rendering;

/// <summary>One measured way of rendering units.</summary>
public sealed record FeatureVisBenchFigure(string Mode, string Precision, int Units, int Pictures, int Optimizations, int LargestBatch, int Steps, double Seconds)
{
    public double UnitsPerSecond => Units / Seconds;
    public double PicturesPerSecond => Pictures / Seconds;
}

/// <summary>
/// The ways of rendering that issue 8 compares, each timed in the same process: one channel at a time
/// (one optimisation per channel picture, how Lucent is used) and the batched engine (every channel of
/// the layers through <see cref="RenderBatcher"/>, as many pictures per optimisation as the device holds),
/// and optionally the atlas's full set of pictures per unit.
/// </summary>
public sealed class FeatureVisBenchmark(IReadOnlyList<LayerInfo> catalog, RenderSettings settings, CancellationToken cancellationToken = default)
{
    public static readonly UnitVisOptions ChannelOnly = new() { Negative = false, Neuron = false, Diversity = false };

    /// <summary>Channel pictures of <paramref name="units"/> per layer, one optimisation each.</summary>
    public FeatureVisBenchFigure OneAtATime(IAtlasModel model, IReadOnlyList<(string Layer, int Units)> units)
    {
        Warm(model, units[0].Layer);
        int count = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (layer, n) in units)
        {
            for (int unit = 0; unit < n; unit++, count++)
                FeatureVisRenderer.Render(model, Plan(layer, unit, unit + 1, ChannelOnly), settings, cancellationToken: cancellationToken);
        }
        return new FeatureVisBenchFigure("one channel at a time", RenderPrecision.Describe(model), count, count, count, 1, settings.Steps, clock.Elapsed.TotalSeconds);
    }

    /// <summary>All <paramref name="units"/> per layer through the batcher; <paramref name="options"/> says which pictures each unit gets.</summary>
    public FeatureVisBenchFigure Batched(IAtlasModel model, IReadOnlyList<(string Layer, int Units)> units, UnitVisOptions options, string mode,
        int? maxBatch = null, IProgress<string>? progress = null)
    {
        // Warmed with the first layer's whole batch: with cuDNN autotuning on, its shape is tuned outside the clock.
        Warm(model, units[0].Layer, units[0].Units);
        var batcher = new RenderBatcher(model, catalog);
        int pictures = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (layer, n) in units)
        {
            var items = Plan(layer, 0, n, options);
            batcher.Render(items, settings, maxBatch, cancellationToken);
            pictures += items.Count;
            var memory = CudaDevice.Memory() is { } m ? $", device memory free {m.Free / 1073741824.0:F1} GiB" : "";
            progress?.Report($"{mode}: {layer} ({n} units, {items.Count} pictures) done at {clock.Elapsed.TotalSeconds:F1}s, largest batch {batcher.LargestBatch}{memory}");
        }
        return new FeatureVisBenchFigure(mode, RenderPrecision.Describe(model), units.Sum(u => u.Units), pictures, batcher.Optimisations,
            batcher.LargestBatch, settings.Steps, clock.Elapsed.TotalSeconds);
    }

    public List<VisItem> Plan(string layer, int start, int end, UnitVisOptions options) =>
        UnitVisPlanner.Plan(catalog, layer, start, end, options).Select(p => p.Item).ToList();

    // The first optimisation on a model pays for allocations and kernel selection; no figure should carry it.
    private void Warm(IAtlasModel model, string layer, int units = 1) =>
        FeatureVisRenderer.Render(model, Plan(layer, 0, units, ChannelOnly), settings with { Steps = 2 }, cancellationToken: cancellationToken);
}
