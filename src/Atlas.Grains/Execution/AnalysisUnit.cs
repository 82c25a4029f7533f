using Atlas.Abstractions;
using Atlas.Core.Analysis;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Imaging;
using Atlas.Core.Models;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using static TorchSharp.torch;

namespace Atlas.Grains.Execution;

/// <summary>
/// The lecture's per-layer analyses for one atlas layer: activation statistics over the dataset, weight
/// statistics and (for the first layer) the filter picture, circuits from the previous atlas layer with
/// kernel pictures, the class spread of every unit's top examples, and heatmap overlays of top images:
/// Grad-CAM of each class for the logits layer, and with examples.heatmaps "all" each spatial unit's own map. Runs after the examples are merged (it reads them), writes
/// its pictures, then <see cref="AnalysisWork"/> last; <see cref="AnalysisManifests"/> puts it in the atlas.
/// </summary>
public static class AnalysisUnit
{
    /// <summary>Activation statistics use the first images of the dataset, up to this many: plenty for a mean.</summary>
    public const int StatsImages = 10_000;
    /// <summary>
    /// Strongest inputs and outputs kept per unit, of each sign: up to 5 excitatory and 5 inhibitory each way. Both
    /// signs, so that a unit whose strongest inputs all inhibit it still shows what excites it; 5 rather than the 6 of
    /// both signs together before, so that a direction holds at most 10 links instead of 6, not 12 (the circuits were
    /// about a fifth of the demo's manifest).
    /// </summary>
    public const int CircuitLinks = 5;
    /// <summary>Shorter side of a heatmap overlay picture in the atlas.</summary>
    public const int OverlaySide = 112;

    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var layer = context.Unit.Layer ?? throw new InvalidOperationException($"analysis unit {context.Unit.Id} names no layer");
        var merged = await context.Store.GetJsonAsync<MergedExamplesWork>(context.Keys.MergedExamplesWork, context.Cancellation);
        var computed = await context.Compute(() => Analyse(context, layer, merged));

        await context.Store.PutManyAsync(computed.Pictures.Select(p => new ArtifactWrite(p.Key, p.Png, "image/png")), context.Cancellation);
        // The manifest goes last: once it exists, every picture it names is already durable.
        var manifestKey = context.Keys.AnalysisWork(layer);
        await context.Store.PutJsonAsync(manifestKey, computed.Work, context.Cancellation);
        return new UnitResult(manifestKey, computed.Pictures.Count + 1, 0);
    }

    private sealed record Computed(AnalysisWork Work, IReadOnlyList<(string Key, byte[] Png)> Pictures);

    private static Computed Analyse(UnitContext context, string layer, MergedExamplesWork? merged)
    {
        var config = context.Config;
        var keys = context.Keys;
        var (model, catalog) = context.Models.Get(config);
        var probe = LayerProbes.For(model);
        var info = catalog.Single(l => l.Name == layer);
        var plans = context.Spec.Layers;
        int position = plans.ToList().FindIndex(p => p.Name == layer);
        var plan = plans[position];
        var pictures = new List<(string, byte[])>();
        var notes = new List<string>();
        using var data = DatasetOpener.Open(config.Dataset);

        var activation = DatasetStats(model, data, layer, ScanBatchSize.For(config.Examples.BatchSize, model, catalog, [layer]), context.Cancellation);
        var weights = WeightStats.Of(probe.LayerWeights(layer));
        var stats = new LayerStats(activation.Mean, activation.FractionNonPositive, activation.FractionChannelsActive)
        {
            WeightMean = weights?.Mean,
            WeightStd = weights?.Std,
        };

        string? weightsKey = null;
        if (probe.InputFilters(layer) is { } filters)
        {
            weightsKey = keys.LayerWeights(layer);
            pictures.Add((weightsKey, FilterImages.Grid(filters).ToPng()));
        }

        var inputs = new Dictionary<int, IReadOnlyList<CircuitLink>>();
        var previousOutputs = new Dictionary<int, IReadOnlyList<CircuitLink>>();
        LayerPlan? previous = position > 0 ? plans[position - 1] : null;
        if (previous is not null && Connect(probe, catalog.Single(l => l.Name == previous.Name), info, plan.Units, notes) is { } connections)
            Circuits(connections, previous, plan, keys, inputs, previousOutputs, pictures);

        var hits = merged?.Layers.GetValueOrDefault(layer);
        var spreads = new Dictionary<int, ClassSpread>();
        for (int v = 0; hits is not null && v < Math.Min(plan.Units, hits.Length); v++)
        {
            if (ClassSpreadCalculator.From(hits[v].Select(h => h.Label), data.ClassNames) is { } spread)
                spreads[v] = new ClassSpread(spread.Counts, spread.EntropyBits, spread.DominantClass);
        }

        var heatmaps = new Dictionary<int, IReadOnlyDictionary<int, string>>();
        if (hits is not null && info.IsSpatial && config.Examples.Heatmaps == "all")
        {
            var (overlays, keysByUnit) = UnitOverlays(model, layer, plan.Units, hits, data, keys);
            pictures.AddRange(overlays);
            foreach (var (u, perImage) in keysByUnit) heatmaps[u] = perImage;
            notes.Add("activation heatmaps: each unit's own map on its top images");
        }
        if (hits is not null && IsLogits(model, info) && config.Examples.Heatmaps != "none")
        {
            try
            {
                var (overlays, keysByClass) = GradCamOverlays(probe, catalog, info, plan.Units, hits, data, keys, notes);
                pictures.AddRange(overlays);
                foreach (var (c, perImage) in keysByClass) heatmaps[c] = perImage;
            }
            catch (Atlas.Core.AtlasInputException e)
            {
                // A model whose layers cannot be probed still gets the rest of its atlas.
                notes.Add($"no Grad-CAM: {e.Message}");
            }
        }

        var work = new AnalysisWork(layer, stats, activation.Images, weightsKey, previous?.Name, inputs, previousOutputs, spreads, heatmaps, notes);
        return new Computed(work, pictures);
    }

    private static ActivationStats DatasetStats(IAtlasModel model, IImageDataset data, string layer, int batchSize, CancellationToken cancellationToken)
    {
        var accumulator = new ActivationStatsAccumulator();
        var device = ModelDevice.Of(model);
        int count = Math.Min(data.Count, StatsImages);
        using var noGrad = no_grad();
        for (int offset = 0; offset < count; offset += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = data.Read(offset, Math.Min(batchSize, count - offset));
            var pixels = batch.ToTensor(data, device);
            var activations = model.Activations(pixels, [layer]);
            using var activation = activations[layer];
            accumulator.Add(activation);
        }
        return accumulator.Result();
    }

    /// <summary>Each unit's strongest inputs, each previous unit's strongest outputs into this layer, and one kernel picture per link.</summary>
    private static void Circuits(LayerConnections connections, LayerPlan previous, LayerPlan plan, AtlasKeys keys,
        Dictionary<int, IReadOnlyList<CircuitLink>> inputs, Dictionary<int, IReadOnlyList<CircuitLink>> previousOutputs, List<(string, byte[])> pictures)
    {
        var kernels = new Dictionary<(int To, int From), string>();
        string KernelKey(int to, int from)
        {
            if (kernels.TryGetValue((to, from), out var key)) return key;
            return kernels[(to, from)] = keys.CircuitKernel(plan.Name, to, previous.Name, from);
        }
        for (int v = 0; v < plan.Units; v++)
            inputs[v] = connections.InputsOf(v, previous.Units).Select(e => new CircuitLink(previous.Name, e.Unit, e.Weight, KernelKey(v, e.Unit))).ToList();
        for (int u = 0; u < previous.Units; u++)
            previousOutputs[u] = connections.OutputsOf(u, plan.Units).Select(e => new CircuitLink(plan.Name, e.Unit, e.Weight, KernelKey(e.Unit, u))).ToList();
        // A layer links thousands of kernel pictures; they are drawn from plain arrays, so on all cores.
        pictures.AddRange(kernels.AsParallel().AsOrdered()
            .Select(k => (k.Value, HeatmapImages.Kernel(connections.Kernel(k.Key.To, k.Key.From), connections.MaxAbsOfUnit(k.Key.To)).ToPng())));
    }

    private static LayerConnections? Connect(ILayerProbe probe, LayerInfo from, LayerInfo to, int toUnits, List<string> notes)
    {
        try
        {
            var connections = CircuitAnalysis.Connect(probe, from, to, CircuitLinks, out var reason, toUnits: toUnits);
            notes.Add(connections is null ? $"no circuits from {from.Name}: {reason}" : $"circuits from {from.Name}: {connections.Method.ToString().ToLowerInvariant()} weights");
            return connections;
        }
        catch (Atlas.Core.AtlasInputException e)
        {
            // A model whose layers cannot be probed still gets the rest of its atlas.
            notes.Add($"no circuits from {from.Name}: {e.Message}");
            return null;
        }
    }

    /// <summary>The logits layer: the model's last layer, linear. Its units are classes, which Grad-CAM explains.</summary>
    private static bool IsLogits(IAtlasModel model, LayerInfo info) => info.Kind == LayerKind.Linear && model.LayerNames[^1] == info.Name;

    /// <summary>
    /// The last spatial layer before the logits, as Grad-CAM prescribes, unless the logits read that layer
    /// with a weight per position (the demo's linear layer over a flattened 64×7×7 map): Grad-CAM's
    /// channel weight is the spatial mean of the gradient, which assumes the class score pools over
    /// positions; with position-specific weights those means cancel and the map is mostly empty (seen:
    /// 14 of 20 demo top images gave an all-zero conv3 map, none at conv2), so the layer before is used.
    /// </summary>
    private static LayerInfo? GradCamLayer(ILayerProbe probe, IReadOnlyList<LayerInfo> catalog, LayerInfo logits, List<string> notes)
    {
        var spatial = catalog.TakeWhile(l => l.Name != logits.Name).Where(l => l.IsSpatial).ToList();
        if (spatial.Count == 0)
        {
            notes.Add("no Grad-CAM: the model has no spatial layer before its logits");
            return null;
        }
        using var direct = probe.DirectWeights(spatial[^1].Name, logits.Name);
        if (direct is not null && direct.shape[2] * direct.shape[3] > 1 && spatial.Count > 1)
        {
            notes.Add($"Grad-CAM one layer before {spatial[^1].Name}: the logits weigh each of its positions separately");
            return spatial[^2];
        }
        return spatial[^1];
    }

    /// <summary>Each spatial unit's own activation map on each of its top images, as overlays on the images (examples.heatmaps: all).</summary>
    private static (List<(string, byte[])> Pictures, Dictionary<int, IReadOnlyDictionary<int, string>> KeysByUnit) UnitOverlays(
        IAtlasModel model, string layer, int units, Atlas.Core.Examples.ExampleHit[][] hits, IImageDataset data, AtlasKeys keys) =>
        Overlays(layer, units, hits, data, keys, (pixels, chunkUnits) => ActivationMaps.UnitMaps(model, pixels, layer, chunkUnits));

    /// <summary>Grad-CAM (see <see cref="GradCamLayer"/>) for each class unit's top images, as overlays on the images.</summary>
    private static (List<(string, byte[])> Pictures, Dictionary<int, IReadOnlyDictionary<int, string>> KeysByClass) GradCamOverlays(
        ILayerProbe probe, IReadOnlyList<LayerInfo> catalog, LayerInfo logits, int units, Atlas.Core.Examples.ExampleHit[][] hits,
        IImageDataset data, AtlasKeys keys, List<string> notes)
    {
        var spatial = GradCamLayer(probe, catalog, logits, notes);
        if (spatial is null) return ([], []);
        var overlays = Overlays(logits.Name, units, hits, data, keys,
            (pixels, classes) => GradCam.Compute(probe, pixels, spatial.Name, classes).Select(r => r.Heatmap).ToList());
        notes.Add($"Grad-CAM overlays at {spatial.Name}");
        return overlays;
    }

    /// <summary>
    /// A heatmap overlay for each of the first <paramref name="units"/> units' top images, the heatmaps made
    /// <paramref name="heatmaps"/>(pixels, unit per image) in batches of 64 images; keys by unit, then image.
    /// </summary>
    private static (List<(string, byte[])> Pictures, Dictionary<int, IReadOnlyDictionary<int, string>> KeysByUnit) Overlays(
        string layer, int units, Atlas.Core.Examples.ExampleHit[][] hits, IImageDataset data, AtlasKeys keys,
        Func<Tensor, IReadOnlyList<int>, IReadOnlyList<float[][]>> heatmaps)
    {
        var pictures = new List<(string, byte[])>();
        var byUnit = new Dictionary<int, Dictionary<int, string>>();
        var jobs = Enumerable.Range(0, Math.Min(units, hits.Length)).SelectMany(u => hits[u].Select(h => (Unit: u, h.Image))).ToList();
        foreach (var chunk in jobs.Chunk(64))
        {
            var images = data.ReadEach(chunk.Select(j => j.Image).ToList());
            using var pixels = tensor(images.SelectMany(b => b.Pixels).ToArray()).view(chunk.Length, data.Channels, data.Height, data.Width);
            var maps = heatmaps(pixels, chunk.Select(j => j.Unit).ToList());
            // The overlays need no device: drawn and encoded on all cores (thousands of them for a model's classes).
            var overlays = Enumerable.Range(0, chunk.Length).AsParallel().AsOrdered()
                .Select(i => HeatmapImages.Overlay(new Raster(images[i].Pixels, data.Channels, data.Height, data.Width), maps[i], OverlaySide).ToPng()).ToList();
            for (int i = 0; i < chunk.Length; i++)
            {
                var key = keys.ExampleHeatmap(layer, chunk[i].Unit, chunk[i].Image);
                pictures.Add((key, overlays[i]));
                if (!byUnit.TryGetValue(chunk[i].Unit, out var perImage)) byUnit[chunk[i].Unit] = perImage = [];
                perImage[chunk[i].Image] = key;
            }
        }
        return (pictures, byUnit.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<int, string>)p.Value));
    }
}

/// <summary>
/// What an analysis unit wrote for one layer. <see cref="PreviousOutputs"/> are the outputs of the
/// previous atlas layer's units into this one (they belong on the previous layer's unit pages).
/// </summary>
public sealed record AnalysisWork(
    string Layer,
    LayerStats Stats,
    long StatsImages,
    string? WeightsKey,
    string? PreviousLayer,
    IReadOnlyDictionary<int, IReadOnlyList<CircuitLink>> Inputs,
    IReadOnlyDictionary<int, IReadOnlyList<CircuitLink>> PreviousOutputs,
    IReadOnlyDictionary<int, ClassSpread> ClassSpreads,
    IReadOnlyDictionary<int, IReadOnlyDictionary<int, string>> Heatmaps,
    IReadOnlyList<string> Notes);
