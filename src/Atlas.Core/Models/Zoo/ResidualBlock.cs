using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// One block of TorchVision's ResNet (basic or bottleneck) made of TorchSharp's own block's children, with its
/// last step as a module: <c>relu(main + identity)</c> where TorchSharp writes <c>x.add_(identity).relu_()</c>.
/// Hooks can reach a module but not a tensor call, so with TorchSharp's block the linearized network behind
/// expanded weights (every ReLU module the identity) kept that ReLU, stayed non-linear, and ResNet had no
/// circuits; and the pre-activation had to be assembled from the last batch norm and the block's input. The
/// children keep their names and registration order, so state dicts load as before; the new ReLU is registered
/// last as <c>relu</c> (Python's name for a block's ReLU) and has no parameters.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>, IConvNormPairs
{
    // Fields, not a list, so that the working-copy rewrites (ChildReplacement) find and replace children by name.
    private nn.Module<Tensor, Tensor> conv1, bn1, relu1, conv2, bn2;
    private nn.Module<Tensor, Tensor>? relu2, conv3, bn3; // a bottleneck's third convolution
    private nn.Module<Tensor, Tensor>? downsample;
    private nn.Module<Tensor, Tensor> relu;

    /// <param name="original">TorchSharp's BasicBlock or Bottleneck; its children move here.</param>
    public ResidualBlock(nn.Module original) : base(original.GetType().Name)
    {
        var children = new AdoptedChildren(original, "a TorchVision ResNet block");
        conv1 = children.Required("conv1");
        bn1 = children.Required("bn1");
        relu1 = children.Required("relu1");
        conv2 = children.Required("conv2");
        bn2 = children.Required("bn2");
        conv3 = children.Optional("conv3");
        if (conv3 is not null)
        {
            bn3 = children.Required("bn3");
            relu2 = children.Required("relu2");
        }
        downsample = children.Optional("downsample");
        relu = nn.ReLU(inplace: true);
        children.RegisterOn(this);
        register_module(nameof(relu), relu);
        ConvNormPairs = conv3 is null ? [("conv1", "bn1"), ("conv2", "bn2")] : [("conv1", "bn1"), ("conv2", "bn2"), ("conv3", "bn3")];
    }

    public IReadOnlyList<(string Conv, string Norm)> ConvNormPairs { get; }

    public override Tensor forward(Tensor input)
    {
        var x = relu1.call(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        if (conv3 is not null) x = bn3!.call(conv3.call(relu2!.call(x)));
        var identity = downsample?.call(input) ?? input;
        // In place, as TorchSharp's block does: the sum needs no buffer of its own.
        return relu.call(x.add_(identity));
    }
}
