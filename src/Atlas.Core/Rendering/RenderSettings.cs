namespace Atlas.Core.Rendering;

/// <summary>How one batched optimisation runs. Defaults are Lucid's, except the image size (the model's input).</summary>
public sealed record RenderSettings
{
    public int Steps { get; init; } = 512;
    public double LearningRate { get; init; } = 0.05;
    public ParameterizationKind Parameterization { get; init; } = ParameterizationKind.Fourier;
    /// <summary>Null: Lucid's standard set scaled to the image size (<see cref="TransformSettings.Standard"/>).</summary>
    public TransformSettings? Transforms { get; init; }
    /// <summary>Square image side; null renders at the model's input size.</summary>
    public int? ImageSize { get; init; }
    /// <summary>
    /// Lucid's ReLU gradient override at the target layer (<see cref="RedirectedRelu"/>): an image whose
    /// target unit is dead on it still gets a gradient, so dead-at-start units get a picture.
    /// </summary>
    public bool ReluGradientOverride { get; init; } = true;

    /// <summary>
    /// At a branched layer (an Inception block), computes each branch only for the pictures that read it
    /// (<see cref="BranchRowPlan"/>). Pictures are the same up to float rounding; off is for benchmarks.
    /// </summary>
    public bool BranchRows { get; init; } = true;

    public TransformSettings TransformsFor(int size) => Transforms ?? TransformSettings.Standard(size);

    public void Validate()
    {
        if (Steps < 0) throw new ArgumentException($"steps must not be negative (got {Steps})");
        if (LearningRate <= 0) throw new ArgumentException($"learning rate must be positive (got {LearningRate})");
        if (ImageSize is <= 0) throw new ArgumentException($"image size must be positive (got {ImageSize})");
    }
}

/// <summary>One image of a batched optimisation: what it maximises and the seed of its noise and transforms.</summary>
/// <param name="Group">Images of one group are "one Lucid batch": batch-wide terms (diversity) compare them with each other only.</param>
/// <param name="Target">Whether the objective reads the layer's output or its pre-ReLU value (negative pictures).</param>
public sealed record VisItem(Objective Objective, ulong Seed, int Group = 0, ActivationTarget Target = ActivationTarget.Rectified);

/// <summary>A finished picture: pixels C×H×W in [0,1] and the objective value it reached (without transforms).</summary>
public sealed record VisImage(float[] Pixels, int Channels, int Height, int Width, double Objective, string ObjectiveDescription, ulong Seed);
