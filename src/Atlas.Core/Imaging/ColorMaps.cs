namespace Atlas.Core.Imaging;

/// <summary>Colour maps for heatmaps, as RGB in [0,1].</summary>
public static class ColorMaps
{
    /// <summary>The "jet" map usual for Grad-CAM: blue (0) → cyan → yellow → red (1).</summary>
    public static (float R, float G, float B) Jet(float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        static float Ramp(float x) => Math.Clamp(1.5f - Math.Abs(x), 0f, 1f);
        return (Ramp(4f * t - 3f), Ramp(4f * t - 2f), Ramp(4f * t - 1f));
    }

    /// <summary>Signed values in [-1,1]: blue for negative, white for zero, red for positive (weights).</summary>
    public static (float R, float G, float B) Diverging(float v)
    {
        v = Math.Clamp(v, -1f, 1f);
        return v >= 0 ? (1f, 1f - v, 1f - v) : (1f + v, 1f + v, 1f);
    }
}
