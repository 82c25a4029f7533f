namespace Atlas.Core.Rendering;

/// <summary>Which value of a layer an image's objective reads.</summary>
public enum ActivationTarget
{
    /// <summary>The layer's output as a reader sees it (after its ReLU); with the gradient override, dead units still get a gradient.</summary>
    Rectified,
    /// <summary>The value before the layer's ReLU (Lucid's <c>_pre_relu</c> layers): how far below firing a unit is, which is what a negative picture pushes down.</summary>
    PreRelu,
}

/// <summary>How a layer's pre-ReLU value relates to its output, found by <see cref="ReluProbe"/>.</summary>
public enum LayerRelu
{
    /// <summary>Output = ReLU(pre-activation): both targets can be read from the pre-activation.</summary>
    Rectified,
    /// <summary>Output = pre-activation (no ReLU, e.g. logits).</summary>
    Linear,
    /// <summary>Anything else: only the output is used.</summary>
    Other,
}
