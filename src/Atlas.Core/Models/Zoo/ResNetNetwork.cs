using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's ResNet made of TorchSharp's own ResNet's children, each block rebuilt as a <see cref="ResidualBlock"/>.
/// Same names and registration order, so the module tree and its state dict are TorchSharp's; what changes is
/// that every step the atlas hooks is a module, and that the stem's and blocks' convolution → batch norm pairs are
/// named (<see cref="IConvNormPairs"/>) for <see cref="BatchNormFolding"/>, which before folded only the downsample
/// branches (the pairs inside a Sequential).
/// </summary>
public sealed class ResNetNetwork : nn.Module<Tensor, Tensor>, IConvNormPairs
{
    // Fields named as the children, for the working-copy rewrites (ChildReplacement): the input convolution, the stem pool.
    private nn.Module<Tensor, Tensor> conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4, avgpool, flatten, fc;

    /// <param name="original">TorchSharp's network; its children move here (disposing of them with this network: a Module disposes its registered children).</param>
    public ResNetNetwork(ResNet original) : base("ResNet")
    {
        var children = new AdoptedChildren(original, "TorchSharp's ResNet");
        conv1 = children.Required("conv1");
        bn1 = children.Required("bn1");
        relu = children.Required("relu");
        maxpool = children.Required("maxpool");
        layer1 = Stage(children.Required("layer1"));
        layer2 = Stage(children.Required("layer2"));
        layer3 = Stage(children.Required("layer3"));
        layer4 = Stage(children.Required("layer4"));
        avgpool = children.Required("avgpool");
        flatten = children.Required("flatten");
        fc = children.Required("fc");
        children.RegisterOn(this);
    }

    public IReadOnlyList<(string Conv, string Norm)> ConvNormPairs { get; } = [("conv1", "bn1")];

    /// <summary>Puts a <see cref="ResidualBlock"/> in the place of each block of a stage.</summary>
    private static nn.Module<Tensor, Tensor> Stage(nn.Module<Tensor, Tensor> stage)
    {
        var blocks = stage is Sequential sequential ? SequentialChildren.Of(sequential) : null;
        if (blocks is null) throw new ArgumentException($"TorchSharp's ResNet stage is a {stage.GetType().Name}, not a Sequential whose blocks can be rebuilt");
        for (int i = 0; i < blocks.Count; i++) blocks[i] = new ResidualBlock((nn.Module)blocks[i]);
        return stage;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        return fc.call(flatten.call(avgpool.call(x))).MoveToOuterDisposeScope();
    }
}
