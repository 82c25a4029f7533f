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
