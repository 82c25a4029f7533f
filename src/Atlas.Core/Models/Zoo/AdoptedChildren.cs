using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// The children of a TorchSharp module that a zoo module is rebuilt from (<see cref="ResNetNetwork"/>,
/// <see cref="ResidualBlock"/>, <see cref="InceptionReductionBlock"/>): found by name, and registered on the rebuilt
/// module under their own names in the original's order, so its state dict is the original's.
/// </summary>
internal sealed class AdoptedChildren(nn.Module original, string expected)
{
    private readonly List<(string Name, nn.Module Module)> children = original.named_children().ToList();

    public nn.Module<Tensor, Tensor>? Optional(string name) =>
        children.FirstOrDefault(c => c.Name == name).Module as nn.Module<Tensor, Tensor>;

    public nn.Module<Tensor, Tensor> Required(string name) =>
        Optional(name) ?? throw new ArgumentException($"{original.GetType().Name} has no child '{name}': not {expected}");

    public void RegisterOn(nn.Module rebuilt)
    {
        foreach (var (name, child) in children) rebuilt.register_module(name, child);
    }
}
