using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Folds each evaluation-mode batch norm into the convolution just before it. In eval a batch norm is a
/// fixed per-channel scale and shift, so conv → bn equals one convolution with scaled weights and a bias.
/// Rendering runs hundreds of forward and backward passes, and every batch norm costs one full read and
/// write of its activation each way; on a GPU those memory-bound passes are a large share of a step.
/// Values agree up to float rounding. Folded are the pairs inside one <see cref="Sequential"/> (TorchVision's
/// conv–bn–activation blocks: GoogLeNet, MobileNetV2, ResNet downsamples), where nothing else can read the
/// convolution's output, and the pairs a module names as <see cref="IConvNormPairs"/> (ResNet's stem and blocks);
/// the batch norm's place is taken by an identity under the same name, so forward hooks on that name still see
/// the same value.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Whether <see cref="Apply"/> would fold anything in <paramref name="network"/>.</summary>
    public static bool HasFoldable(nn.Module network)
    {
        var modules = network.named_modules().Select(m => m.module).Prepend(network).ToList();
        return modules.OfType<Sequential>().Any(s => SequentialChildren.Of(s) is { } children
                && children.Zip(children.Skip(1)).Any(p => IsFoldable(p.First, p.Second)))
            || modules.Any(m => NamedPairs(m).Any());
    }

    private static bool IsFoldable(nn.IModule<Tensor, Tensor> first, nn.IModule<Tensor, Tensor> second) =>
        first is Conv2d && second is BatchNorm2d { training: false, running_mean: not null, running_var: not null };

    /// <summary>Folds every conv → batch-norm pair of an evaluation-mode network in place; returns how many it folded.</summary>
    public static int Apply(nn.Module network)
    {
        int folded = 0;
        using var noGrad = no_grad();
        var modules = network.named_modules().Select(m => m.module).Prepend(network).ToList();
        foreach (var module in modules)
        {
            foreach (var (conv, norm, name) in NamedPairs(module).ToList())
            {
                Fold(conv, norm);
                ChildReplacement.ReplaceField(module, name, nn.Identity());
                norm.Dispose();
                folded++;
            }
        }
        foreach (var sequential in modules.OfType<Sequential>())
        {
            if (SequentialChildren.Of(sequential) is not { } children) return folded;
            for (int i = 0; i + 1 < children.Count; i++)
            {
                if (!IsFoldable(children[i], children[i + 1])) continue;
                var norm = (BatchNorm2d)children[i + 1];
                Fold((Conv2d)children[i], norm);
                children[i + 1] = nn.Identity();
                norm.Dispose();
                folded++;
            }
        }
        return folded;
    }

    /// <summary>The foldable pairs <paramref name="module"/> names, with the batch norm's child name.</summary>
    private static IEnumerable<(Conv2d Conv, BatchNorm2d Norm, string NormName)> NamedPairs(nn.Module module)
    {
        if (module is not IConvNormPairs named) yield break;
        var children = module.named_children().ToDictionary(c => c.name, c => c.module);
        foreach (var (conv, norm) in named.ConvNormPairs)
        {
            if (children.GetValueOrDefault(conv) is nn.IModule<Tensor, Tensor> first && children.GetValueOrDefault(norm) is nn.IModule<Tensor, Tensor> second
                && IsFoldable(first, second))
                yield return ((Conv2d)first, (BatchNorm2d)second, norm);
        }
    }

    private static void Fold(Conv2d conv, BatchNorm2d norm)
    {
        using var scope = NewDisposeScope();
        var weight = conv.weight;
        var type = weight.dtype;
        // Computed in float64: the folded weights are then rounded once, to the network's own type.
        var scale = norm.running_var!.to(float64).add(norm.eps).rsqrt();
        if (norm.weight is { } gamma) scale = scale.mul(gamma.to(float64));
        var shift = norm.bias?.to(float64) ?? zeros_like(scale);
        var bias = conv.bias?.to(float64) ?? zeros_like(scale);
        var foldedWeight = weight.to(float64).mul(scale.view(-1, 1, 1, 1)).to(type);
        // Keep the weight's memory layout (channels-last stays channels-last).
        if (ChannelsLast.Chosen(weight)) foldedWeight = ChannelsLast.Of(foldedWeight);
        var foldedBias = bias.sub(norm.running_mean!.to(float64)).mul(scale).add(shift).to(type);
        conv.weight = new Parameter(foldedWeight, requires_grad: false);
        conv.bias = new Parameter(foldedBias, requires_grad: false);
    }
}
