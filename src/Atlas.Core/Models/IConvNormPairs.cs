namespace Atlas.Core.Models;

/// <summary>
/// A module whose forward runs some of its children as convolution → batch norm with nothing else reading the
/// convolution's output, though they are not in a <see cref="TorchSharp.Modules.Sequential"/> (where
/// <see cref="BatchNormFolding"/> sees that for itself). It names those pairs so that they can be folded too.
/// </summary>
public interface IConvNormPairs
{
    /// <summary>Child names: each convolution and the batch norm its output goes to, and only to.</summary>
    IReadOnlyList<(string Conv, string Norm)> ConvNormPairs { get; }
}
