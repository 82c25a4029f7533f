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

    public sealed record NoActivation : PreActivationTap;

    /// <summary>
    /// The inputs of these ReLU (or ReLU6) modules, concatenated along channels in this order. Their
    /// ReLUs run in place, so the input is copied before the module overwrites it.
    /// </summary>
    public sealed record ReluInputs(IReadOnlyList<string> Modules) : PreActivationTap;
}
