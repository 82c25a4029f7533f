using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>How one unit's picture rendered in reduced precision compares with the float32 one.</summary>
/// <param name="ObjectiveRatio">The reduced-precision picture's objective over the float32 picture's, both measured by the float32 network.</param>
/// <param name="PixelCorrelation">Pearson correlation of the two pictures' pixels (same seed, noise and transforms).</param>
public sealed record PrecisionUnitComparison(string Objective, double Float32Objective, double ReducedObjective, double ObjectiveRatio, double PixelCorrelation);

/// <summary>Means over the compared units (a ratio is left out where both pictures score zero-ish and it is undefined).</summary>
public sealed record PrecisionSummary(int Units, double MeanObjectiveRatio, double MinObjectiveRatio, double MeanPixelCorrelation);

/// <summary>
/// The check that rendering in bfloat16 does not change the pictures meaningfully: the same items are
/// rendered by a float32 network and by its reduced-precision copy, and each picture is scored by the
/// float32 network, so the comparison is what the unit responds to, not how precisely it was computed.
/// </summary>
public static class PrecisionComparison
{
    public static IReadOnlyList<PrecisionUnitComparison> Run(IAtlasModel float32, IAtlasModel reduced, IReadOnlyList<VisItem> items,
        RenderSettings settings, CancellationToken cancellationToken = default)
    {
        if (float32.ComputeType != ScalarType.Float32) throw new ArgumentException("the reference model must compute in float32", nameof(float32));
        var exact = FeatureVisRenderer.Render(float32, items, settings, cancellationToken: cancellationToken);
        var fast = FeatureVisRenderer.Render(reduced, items, settings, cancellationToken: cancellationToken);
        var exactScores = Score(float32, items, exact);
        var fastScores = Score(float32, items, fast);
        return items.Select((item, i) => new PrecisionUnitComparison(item.Objective.Description, exactScores[i], fastScores[i],
            Ratio(fastScores[i], exactScores[i]), Pearson(exact[i].Pixels, fast[i].Pixels))).ToList();
    }

    public static PrecisionSummary Summarize(IReadOnlyList<PrecisionUnitComparison> units)
    {
        var ratios = units.Select(u => u.ObjectiveRatio).Where(double.IsFinite).DefaultIfEmpty(double.NaN).ToList();
        return new PrecisionSummary(units.Count, ratios.Average(), ratios.Min(), units.Average(u => u.PixelCorrelation));
    }

    /// <summary>Each picture's own objective on the model, without transforms.</summary>
    public static double[] Score(IAtlasModel model, IReadOnlyList<VisItem> items, IReadOnlyList<VisImage> images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = ModelDevice.Of(model);
        var first = images[0];
        var host = empty(images.Count, first.Channels, first.Height, first.Width);
        Data.HostPixels.CopyInto(host, images.SelectMany(i => i.Pixels).ToArray());
        var pixels = host.to(device);
        using var objective = ObjectiveBatch.Compile(items.Select(i => i.Objective).ToList(), items.Select(i => i.Group).ToList(), device,
            items.Select(i => i.Target).ToList());
        var activations = model.Activations(pixels, objective.Layers, preActivation: items.Any(i => i.Target == ActivationTarget.PreRelu));
        var values = objective.Evaluate(activations.ToDictionary(a => a.Key, a => a.Value.to(float32)));
        return values.cpu().to(float64).data<double>().ToArray();
    }

    private static double Ratio(double reduced, double exact) => Math.Abs(exact) < 1e-12 ? (Math.Abs(reduced) < 1e-12 ? 1 : double.NaN) : reduced / exact;

    public static double Pearson(float[] a, float[] b)
    {
        double meanA = a.Average(), meanB = b.Average(), cov = 0, varA = 0, varB = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - meanA, db = b[i] - meanB;
            cov += da * db;
            varA += da * da;
            varB += db * db;
        }
        return varA == 0 || varB == 0 ? 0 : cov / Math.Sqrt(varA * varB);
    }
}
