using Atlas.Core.Imaging;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// First-layer filters as pictures: each kernel a tile, RGB when the input is RGB and grayscale when it
/// is grayscale, all on one shared scale centred on mid-gray (0 weight), so strong and weak filters
/// compare at a glance.
/// </summary>
public static class FilterImages
{
    /// <param name="filters">[C_out, C_in, kh, kw].</param>
    public static Raster Grid(Tensor filters, int minTile = 32)
    {
        if (filters.dim() != 4) throw new ArgumentException($"filters are C_out×C_in×kh×kw, not rank {filters.dim()}", nameof(filters));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = filters.detach().to(float32).cpu();
        // Inputs other than grayscale or RGB are shown as the mean over input channels.
        if (weights.shape[1] is not (1 or 3)) weights = weights.mean([1], keepdim: true);
        int outputs = (int)weights.shape[0], channels = (int)weights.shape[1], h = (int)weights.shape[2], w = (int)weights.shape[3];
        float maxAbs = weights.abs().max().item<float>();
        var values = weights.contiguous().data<float>().ToArray();
        int size = channels * h * w, factor = Math.Max(1, (int)Math.Ceiling(minTile / (double)Math.Min(h, w)));
        var tiles = Enumerable.Range(0, outputs).Select(o =>
        {
            var tile = values.AsSpan(o * size, size).ToArray();
            for (int i = 0; i < tile.Length; i++) tile[i] = maxAbs > 0 ? 0.5f + tile[i] / (2 * maxAbs) : 0.5f;
            return new Raster(tile, channels, h, w).ScaleNearest(factor);
        }).ToList();
        return HeatmapImages.Grid(tiles, HeatmapImages.SquareColumns(outputs));
    }
}
