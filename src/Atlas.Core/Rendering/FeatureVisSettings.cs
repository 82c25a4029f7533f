using Atlas.Core.Configuration;
using Atlas.Core.Models;

namespace Atlas.Core.Rendering;

/// <summary>Reads a config's featureVis section as renderer settings and per-unit picture options.</summary>
public static class FeatureVisSettings
{
    public static RenderSettings Render(FeatureVisConfig config, InputSpec input)
    {
        int size = config.ImageSize ?? Math.Max(input.Height, input.Width);
        return new RenderSettings
        {
            Steps = config.Steps,
            LearningRate = config.LearningRate,
            Parameterization = ParameterizationFor(config),
            Transforms = config.Transforms ? TransformSettings.Standard(size) : TransformSettings.JitterOnly(config.Jitter),
            ImageSize = config.ImageSize,
            ReluGradientOverride = config.ReluGradientOverride,
        };
    }

    public static UnitVisOptions Units(FeatureVisConfig config) => new()
    {
        Channel = config.Channel,
        Negative = config.Negative,
        Neuron = config.Neuron,
        Diversity = config.Diversity,
        DiversityCount = config.DiversityCount,
        DiversityWeight = config.DiversityWeight,
        Seed = config.Seed,
    };

    public static ParameterizationKind ParameterizationFor(FeatureVisConfig config) => config.Parameterization switch
    {
        "fourier" => ParameterizationKind.Fourier,
        "pixel" => ParameterizationKind.Pixel,
        var other => throw new AtlasInputException($"featureVis.parameterization: '{other}' is not fourier or pixel"),
    };

    /// <summary>For the manifest's recipe: how the pictures were parameterized.</summary>
    public static string Describe(RenderSettings settings, int channels)
    {
        var basis = settings.Parameterization == ParameterizationKind.Fourier ? "fourier (1/f)" : "pixel";
        var colour = channels == 3 ? ", decorrelated colour" : "";
        var relu = settings.ReluGradientOverride ? ", ReLU gradient override" : "";
        return $"{basis}{colour}, sigmoid{relu}";
    }
}
