using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>What a zoo network is built with: the class count comes from the checkpoint's logits weight.</summary>
public sealed record ZooBuildOptions(int Classes, bool TransformInput);

/// <summary>
/// A network the atlas knows by name: how to build it, which of its modules are atlas layers, what
/// input it expects, and what its pre-activation values mean.
/// </summary>
public sealed class ZooArchitecture
{
    public required string Name { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>Input convention at the default size: channel count, side and the normalization applied inside the model.</summary>
    public required InputSpec Input { get; init; }
    /// <summary>False where the network only works at its default size (the demo's flattening linear layer).</summary>
    public bool ResizableInput { get; init; } = true;
    /// <summary>State-dict key of the logits weight; its row count is the class count of a checkpoint.</summary>
    public required string LogitsWeightKey { get; init; }
    public int DefaultClasses { get; init; } = 1000;
    public required Func<ZooBuildOptions, nn.Module<Tensor, Tensor>> Create { get; init; }
    /// <summary>Atlas layers in forward order.</summary>
    public required IReadOnlyList<HookedLayer> Layers { get; init; }
    /// <summary>What <c>preActivation: true</c> returns for this network, per layer kind (documentation and logs).</summary>
    public required string PreActivationMeaning { get; init; }
    /// <summary>Checkpoint keys under these prefixes are expected leftovers (auxiliary heads) and logged as such.</summary>
    public IReadOnlyList<string> AuxiliaryKeyPrefixes { get; init; } = [];
    /// <summary>Wraps a built, loaded network as an atlas model; null = the generic hook-based wrapper.</summary>
    public Func<nn.Module<Tensor, Tensor>, InputSpec, IReadOnlyList<string>, IAtlasModel>? Wrap { get; init; }

    public bool Answers(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The input convention at <paramref name="size"/> pixels square (null = the default size).</summary>
    /// <summary>The input a config's model section asks for: its size, and its mean and std where it gives them.</summary>
    public InputSpec InputFor(Configuration.ModelConfig model) =>
        InputFor(model.InputSize) is var input && (model.Mean is not null || model.Std is not null)
            ? input with { Mean = model.Mean ?? input.Mean, Std = model.Std ?? input.Std }
            : input;

    public InputSpec InputFor(int? size)
    {
        if (size is not int side || side == Input.Height) return Input;
        if (!ResizableInput) throw new AtlasInputException($"model.inputSize: {Name} takes {Input.Height}×{Input.Width} inputs only");
        return Input with { Height = side, Width = side };
    }

    public IAtlasModel WrapNetwork(nn.Module<Tensor, Tensor> network, InputSpec input, IReadOnlyList<string> classNames) =>
        Wrap is { } wrap ? wrap(network, input, classNames) : new HookedModel(this, network, input, classNames);
}
