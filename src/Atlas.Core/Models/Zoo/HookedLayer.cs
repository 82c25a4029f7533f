namespace Atlas.Core.Models.Zoo;

/// <summary>
/// One atlas layer of a TorchVision network: the module whose output is the layer's activation, its
/// channel count (null for the logits, whose count is the checkpoint's class count) and where its
/// pre-ReLU value can be read.
/// </summary>
public sealed record HookedLayer(string Name, string Module, int? Channels, PreActivationTap Pre);

/// <summary>Where a layer's value before its final activation function comes from.</summary>
public abstract record PreActivationTap
{
    /// <summary>The layer has no activation function at its output (logits, linear bottlenecks).</summary>
    public static readonly PreActivationTap None = new NoActivation();

    public static PreActivationTap ReluInput(params string[] modules) => new ReluInputs(modules);

    /// <summary>The inputs of these ReLUs, then the rest of the layer's output channels as they are: a branch without a ReLU.</summary>
    public static PreActivationTap ReluInputThenRest(params string[] modules) => new ReluInputs(modules) { RestOfOutput = true };

    public sealed record NoActivation : PreActivationTap;

    /// <summary>
    /// The inputs of these ReLU (or ReLU6, or Hardswish) modules, concatenated along channels in this order. Their
    /// activations may run in place, so the input is copied before the module overwrites it.
    /// </summary>
    public sealed record ReluInputs(IReadOnlyList<string> Modules) : PreActivationTap
    {
        /// <summary>
        /// The layer's output has channels after those of the ReLUs that no ReLU made (Inception v3's max-pool branches
        /// of its reduction blocks); they are their own pre-activation, and are appended from the output.
        /// </summary>
        public bool RestOfOutput { get; init; }
    }
}
