namespace Atlas.Core.Imaging;

/// <summary>Pictures of maps: heatmap overlays on images, signed kernels, and grids of tiles.</summary>
public static class HeatmapImages
{
    /// <summary>
    /// A [0,1] heatmap upsampled (bilinear) onto the image and blended in the jet colour map. The image
    /// is first enlarged by an integer factor until its shorter side reaches <paramref name="minSide"/>,
    /// so a 28×28 input still gives a readable picture.
    /// </summary>
    public static Raster Overlay(Raster image, float[][] heatmap, int minSide = 224, float opacity = 0.5f)
    {
        int factor = Math.Max(1, (int)Math.Ceiling(minSide / (double)Math.Min(image.Height, image.Width)));
        var background = image.ScaleNearest(factor).ToRgb();
        int h = background.Height, w = background.Width, plane = h * w;
        var heat = Raster.ResizeBilinear(heatmap, h, w);
        var pixels = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            var (r, g, b) = ColorMaps.Jet(heat[i]);
            pixels[i] = (1 - opacity) * background.Pixels[i] + opacity * r;
            pixels[plane + i] = (1 - opacity) * background.Pixels[plane + i] + opacity * g;
            pixels[2 * plane + i] = (1 - opacity) * background.Pixels[2 * plane + i] + opacity * b;
        }
        return new Raster(pixels, 3, h, w);
    }

    /// <summary>A signed kernel in the diverging map, scaled by <paramref name="maxAbs"/> (shared by a unit's kernels), cells of <paramref name="cell"/> pixels.</summary>
    public static Raster Kernel(float[][] kernel, float maxAbs, int cell = 8)
    {
        int h = kernel.Length, w = kernel[0].Length, plane = h * w;
        var pixels = new float[3 * plane];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b) = ColorMaps.Diverging(maxAbs > 0 ? kernel[y][x] / maxAbs : 0);
                int i = y * w + x;
                pixels[i] = r;
                pixels[plane + i] = g;
                pixels[2 * plane + i] = b;
            }
        return new Raster(pixels, 3, h, w).ScaleNearest(cell);
    }

    /// <summary>Tiles of equal size in rows of <paramref name="columns"/>, separated by a <paramref name="gap"/>-pixel border.</summary>
    public static Raster Grid(IReadOnlyList<Raster> tiles, int columns, int gap = 2, float background = 1f)
    {
        if (tiles.Count == 0) throw new ArgumentException("no tiles", nameof(tiles));
        int channels = tiles.Max(t => t.Channels), th = tiles[0].Height, tw = tiles[0].Width;
        if (tiles.Any(t => t.Height != th || t.Width != tw)) throw new ArgumentException("tiles differ in size", nameof(tiles));
        columns = Math.Clamp(columns, 1, tiles.Count);
        int rows = (tiles.Count + columns - 1) / columns;
        int h = gap + rows * (th + gap), w = gap + columns * (tw + gap);
        var grid = Raster.Blank(channels, h, w, background);
        for (int t = 0; t < tiles.Count; t++)
        {
            var tile = channels == 3 ? tiles[t].ToRgb() : tiles[t];
            int top = gap + t / columns * (th + gap), left = gap + t % columns * (tw + gap);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < th; y++)
                    Array.Copy(tile.Pixels, (c * th + y) * tw, grid.Pixels, (c * h + top + y) * w + left, tw);
        }
        return grid;
    }

    /// <summary>Columns for a roughly square grid of <paramref name="count"/> tiles.</summary>
    public static int SquareColumns(int count) => Math.Max(1, (int)Math.Ceiling(Math.Sqrt(count)));
}
