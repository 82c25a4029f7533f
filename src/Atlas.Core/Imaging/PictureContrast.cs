namespace Atlas.Core.Imaging;

/// <summary>
/// How much a picture varies: the root mean square over channels of each channel's standard deviation over positions,
/// on pixels in [0,1]. A feature visualization that stays near its starting noise (its optimisation found no gradient
/// to climb, or had too few steps) is nearly flat grey, well below the spread of a picture that draws something; the
/// site flags such pictures of units that data does activate. Per channel, so a picture of one flat colour counts as flat.
/// </summary>
public static class PictureContrast
{
    public static double Of(ReadOnlySpan<float> pixels, int channels)
    {
        if (channels <= 0 || pixels.Length == 0 || pixels.Length % channels != 0)
            throw new ArgumentException($"{pixels.Length} pixels do not split into {channels} channels");
        int plane = pixels.Length / channels;
        double sumOfVariances = 0;
        for (int c = 0; c < channels; c++)
        {
            var values = pixels.Slice(c * plane, plane);
            double mean = 0;
            foreach (var v in values) mean += v;
            mean /= plane;
            double squares = 0;
            foreach (var v in values) squares += (v - mean) * (v - mean);
            sumOfVariances += squares / plane;
        }
        return Math.Sqrt(sumOfVariances / channels);
    }
}
