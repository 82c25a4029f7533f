using Atlas.Core.Imaging;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>One layer's activations on one image: statistics, and a grid of its channel maps when it has any.</summary>
public sealed record LayerActivations(string Layer, ActivationStats Stats, Raster? Grid);

/// <summary>
/// The lecture's activation view: run one image through the model and, for every atlas layer, draw
/// each channel's map (scaled to its own maximum, so weak channels stay visible; dead channels are
/// black) and measure the layer's statistics.
/// </summary>
public static class ActivationMaps
{
    /// <param name="pixels">One image, 1×C×H×W in [0,1].</param>
    public static IReadOnlyList<LayerActivations> Compute(IAtlasModel model, Tensor pixels, IReadOnlyList<string>? layers = null)
    {
        TorchRuntime.Initialize();
        layers ??= model.LayerNames;
        foreach (var layer in layers) LayerProbes.RequireLayer(model, layer);
        using var noGrad = no_grad();
        // `.to` returns the caller's own tensor when it is already there: free only a copy.
        var onDevice = pixels.to(ModelDevice.Of(model));
        using var copy = ReferenceEquals(onDevice, pixels) ? null : onDevice;
        var activations = model.Activations(onDevice, layers.ToList());
        try
        {
            return layers.Select(layer => new LayerActivations(layer, ActivationStatsAccumulator.Of(activations[layer]),
                activations[layer].dim() == 4 ? ChannelGrid(activations[layer][0]) : null)).ToList();
        }
        finally
        {
            foreach (var tensor in activations.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Where one unit fires on each of some images: row i of <paramref name="pixels"/> (N×C×H×W in [0,1]) gets
    /// unit <paramref name="units"/>[i]'s map at <paramref name="layer"/> (post-ReLU, as the dataset pass ranks
    /// images), divided by its own maximum, so the peak is 1 and where the unit is silent is 0.
    /// </summary>
    public static IReadOnlyList<float[][]> UnitMaps(IAtlasModel model, Tensor pixels, string layer, IReadOnlyList<int> units)
    {
        TorchRuntime.Initialize();
        LayerProbes.RequireLayer(model, layer);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // Activations are handed over outside any dispose scope: this one is freed here.
        using var activation = model.Activations(pixels.to(ModelDevice.Of(model)), [layer])[layer];
        if (activation.dim() != 4) throw new AtlasInputException($"layer '{layer}' has no spatial maps");
        long n = activation.shape[0], h = activation.shape[2], w = activation.shape[3];
        var chosen = tensor(units.Select(u => (long)u).ToArray(), device: activation.device).view(n, 1, 1, 1).expand(n, 1, h, w);
        // One map per image, on the host in row-major order whatever the activation's memory layout.
        var values = activation.gather(1, chosen).to(float32).relu().cpu().contiguous().data<float>().ToArray();
        var result = new List<float[][]>(units.Count);
        for (int i = 0; i < units.Count; i++)
        {
            int start = (int)(i * h * w);
            float peak = 0;
            for (int j = 0; j < h * w; j++) peak = Math.Max(peak, values[start + j]);
            var map = new float[h][];
            for (int y = 0; y < h; y++)
            {
                map[y] = new float[w];
                for (int x = 0; x < w; x++) map[y][x] = peak > 0 ? values[start + y * w + x] / peak : 0f;
            }
            result.Add(map);
        }
        return result;
    }

    /// <summary>C×H×W activation → grid of C grayscale tiles, each at least 32 px on its shorter side.</summary>
    public static Raster ChannelGrid(Tensor activation, int minTile = 32)
    {
        int channels = (int)activation.shape[0], h = (int)activation.shape[1], w = (int)activation.shape[2];
        var values = activation.detach().to(float32).cpu().contiguous().data<float>().ToArray();
        int factor = Math.Max(1, (int)Math.Ceiling(minTile / (double)Math.Min(h, w)));
        var tiles = new List<Raster>(channels);
        for (int c = 0; c < channels; c++)
        {
            var map = values.AsSpan(c * h * w, h * w).ToArray();
            float min = Math.Min(0, map.Min()), max = map.Max();
            float range = max - min;
            for (int i = 0; i < map.Length; i++) map[i] = range > 0 ? (map[i] - min) / range : 0;
            tiles.Add(new Raster(map, 1, h, w).ScaleNearest(factor));
        }
        return HeatmapImages.Grid(tiles, HeatmapImages.SquareColumns(channels));
    }
}
