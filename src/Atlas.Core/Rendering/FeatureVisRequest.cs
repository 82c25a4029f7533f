namespace Atlas.Core.Rendering;

/// <summary>
/// One batched optimisation: every channel in <paramref name="Channels"/> gets its own image in the
/// batch. Each image starts from noise seeded by (seed, layer, channel) and the jitter sequence is
/// seeded by seed alone, so a unit's picture does not depend on which other units shared its batch.
/// </summary>
public sealed record FeatureVisRequest(string Layer, IReadOnlyList<int> Channels, int Steps, double LearningRate, int Seed, int Jitter)
{
    public string ObjectiveDescription(int channel) => $"channel({Layer}:{channel}) spatial mean, pre-ReLU";
}

/// <summary>A finished visualization: pixels C×H×W in [0,1] and the objective value it reached.</summary>
public sealed record FeatureVisResult(int Channel, float[] Pixels, int ChannelsPerPixel, int Height, int Width, double Objective);
