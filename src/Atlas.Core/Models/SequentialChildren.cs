using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// The list a TorchSharp <see cref="Sequential"/> runs its children from, for the working-copy rewrites
/// (<see cref="BatchNormFolding"/>, <see cref="MaxPoolGradient"/>) that put one child in another's place.
/// TorchSharp has no public way to replace a child; its forward pass iterates this private list. Under
/// another TorchSharp version without it, nothing is rewritten, and the rewrites' tests fail, so an upgrade
/// cannot lose a speed-up silently.
/// </summary>
internal static class SequentialChildren
{
    private static readonly FieldInfo? Field = typeof(Sequential).GetField("_modules", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>The children in forward order, to read and replace in place; null when this TorchSharp keeps them elsewhere.</summary>
    public static List<nn.IModule<Tensor, Tensor>>? Of(Sequential sequential) => Field?.GetValue(sequential) as List<nn.IModule<Tensor, Tensor>>;
}
