using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Puts an <see cref="UnfoldedConv2d"/> in the place of every convolution of a working copy that reads at most
/// <see cref="MostInputChannels"/> channels (in the zoo, the first convolution, which reads the image). Such a
/// child sits in a <see cref="Sequential"/>'s private list (<see cref="SequentialChildren"/>) or in a field of
/// its parent (ResNet's conv1); a field's registration is renewed too, so hooks on its name reach the new module.
/// </summary>
public static class InputConvolution
{
    /// <summary>Convolutions over this many input channels or fewer are unfolded: an image's (grey, RGB, RGBA).</summary>
    public const int MostInputChannels = 4;

    /// <summary>
    /// Reads model.inputConvolution: whether a working copy on <paramref name="device"/> that computes in
    /// <paramref name="type"/> unfolds the convolution that reads the image.
    /// </summary>
    public static bool For(string inputConvolution, Device device, ScalarType type) => inputConvolution switch
    {
        "unfold" => true,
        "native" => false,
        // The slow kernels were seen in bfloat16 on an H200. In float32 the unfolded product would run in full
        // float32 (libtorch leaves TF32 off for matrix products, on for convolutions), so auto keeps cuDNN there.
        // On the CPU oneDNN's convolution is the faster (bench/RESULTS.md).
        "auto" => device.type == DeviceType.CUDA && type is ScalarType.BFloat16 or ScalarType.Float16,
        var other => throw new AtlasInputException($"model.inputConvolution: '{other}' is not auto, native or unfold"),
    };

    /// <summary>Replaces the convolutions in place; returns how many it replaced.</summary>
    public static int Apply(nn.Module network)
    {
        int replaced = 0;
        foreach (var module in network.named_modules().Select(m => m.module).Prepend(network).ToList())
        {
            if (module is Sequential sequential)
            {
                if (SequentialChildren.Of(sequential) is not { } children) continue;
                for (int i = 0; i < children.Count; i++)
                {
                    if (children[i] is not Conv2d conv || !Unfoldable(conv)) continue;
                    children[i] = new UnfoldedConv2d(conv);
                    conv.Dispose();
                    replaced++;
                }
                continue;
            }
            for (var type = module.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
            {
                foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
                {
                    if (field.GetValue(module) is not Conv2d conv || !Unfoldable(conv) || !field.FieldType.IsAssignableFrom(typeof(UnfoldedConv2d))) continue;
                    var unfolded = new UnfoldedConv2d(conv);
                    field.SetValue(module, unfolded);
                    if (module.named_children().Any(c => c.name == field.Name))
                    {
                        module.register_module(field.Name, null!);
                        module.register_module(field.Name, unfolded);
                    }
                    conv.Dispose();
                    replaced++;
                }
            }
        }
        return replaced;
    }

    private static bool Unfoldable(Conv2d conv) =>
        conv.in_channels <= MostInputChannels && conv.groups == 1 && conv.padding_mode == PaddingModes.Zeros && conv.padding_type is null;
}
