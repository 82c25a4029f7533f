namespace Atlas.Core.Imaging;

/// <summary>
/// A C×H×W float image in [0,1] (1 = grayscale, 3 = RGB), the layout <see cref="PngEncoder"/> takes,
/// with the resampling the analysis images need.
/// </summary>
public sealed record Raster(float[] Pixels, int Channels, int Height, int Width)
{
    public byte[] ToPng() => PngEncoder.Encode(Pixels, Channels, Height, Width);

    public static Raster Blank(int channels, int height, int width, float value)
    {
        var pixels = new float[channels * height * width];
        Array.Fill(pixels, value);
        return new Raster(pixels, channels, height, width);
    }

    public float this[int channel, int y, int x] => Pixels[(channel * Height + y) * Width + x];

    /// <summary>Each pixel becomes a factor×factor block: small maps and kernels stay crisp.</summary>
    public Raster ScaleNearest(int factor)
    {
        if (factor <= 1) return this;
        int h = Height * factor, w = Width * factor;
        var pixels = new float[Channels * h * w];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    pixels[(c * h + y) * w + x] = this[c, y / factor, x / factor];
        return new Raster(pixels, Channels, h, w);
    }

    /// <summary>The same image with three channels (gray repeated).</summary>
    public Raster ToRgb()
    {
        if (Channels == 3) return this;
        int plane = Height * Width;
        var pixels = new float[3 * plane];
        for (int c = 0; c < 3; c++) Array.Copy(Pixels, 0, pixels, c * plane, plane);
        return new Raster(pixels, 3, Height, Width);
    }

    /// <summary>
    /// Bilinear resampling of a map to height×width with pixel centres aligned (align_corners = false),
    /// how a coarse activation map is laid over the image it came from.
    /// </summary>
    public static float[] ResizeBilinear(float[][] map, int height, int width)
    {
        int h = map.Length, w = map[0].Length;
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            float sy = Math.Clamp((y + 0.5f) * h / height - 0.5f, 0, h - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, h - 1);
            float fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                float sx = Math.Clamp((x + 0.5f) * w / width - 0.5f, 0, w - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, w - 1);
                float fx = sx - x0;
                float top = map[y0][x0] * (1 - fx) + map[y0][x1] * fx;
                float bottom = map[y1][x0] * (1 - fx) + map[y1][x1] * fx;
                result[y * width + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return result;
    }
}
