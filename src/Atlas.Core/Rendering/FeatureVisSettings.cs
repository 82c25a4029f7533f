using Atlas.Core.Configuration;
using Atlas.Core.Models;
using TorchSharp;

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

    /// <summary>Channels per work unit when the config leaves it unset and the job is planned on the CPU.</summary>
    public const int CpuChannelsPerUnit = 32;

    /// <summary>Channels per work unit when the config leaves it unset and the job is planned where a GPU is.</summary>
    public const int GpuChannelsPerUnit = 128;

    /// <summary>
    /// featureVis.channelsPerUnit, or its default for the kind of <paramref name="device"/>. A unit's pictures are one
    /// optimisation as far as memory allows, so the unit size is the GPU's batch: 32 channels make 224 pictures
    /// with the default set of 7 per channel, 128 make 896. PyTorch's batch sweep of the same recipe on an H200
    /// ran 12 % more channels a second at 1,024 pictures than at 256, and 3 % more again at 2,048
    /// (bench/RESULTS.md). On the CPU a larger batch gains nothing, and 32 keeps units short enough to
    /// show progress and to lose little when a worker dies. The choice depends only on the kind of device, not
    /// on its free memory, so a resumed run plans the same units.
    /// </summary>
    public static int ChannelsPerUnit(FeatureVisConfig config, DeviceType device) =>
        config.ChannelsPerUnit ?? (device == DeviceType.CUDA ? GpuChannelsPerUnit : CpuChannelsPerUnit);

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
