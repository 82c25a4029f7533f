using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Puts an <see cref="UnfoldedConv2d"/> in the place of every convolution of a working copy that reads at most
/// <see cref="MostInputChannels"/> channels (in the zoo, the first convolution, which reads the image), in a
/// <see cref="Sequential"/> list or in a field of its parent such as ResNet's conv1 (<see cref="ChildReplacement"/>).
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
        // The slow kernels were seen in bfloat16 on an H200; float32 (where the unfolded product takes TF32 as
        // cuDNN's convolution does) is unmeasured, so auto keeps cuDNN there until bench/gpu-next.sh says.
        // On the CPU oneDNN's convolution is the faster (bench/RESULTS.md).
        "auto" => device.type == DeviceType.CUDA && type is ScalarType.BFloat16 or ScalarType.Float16,
        var other => throw new AtlasInputException($"model.inputConvolution: '{other}' is not auto, native or unfold"),
    };

    /// <summary>Replaces the convolutions in place; returns how many it replaced.</summary>
    public static int Apply(nn.Module network) => ChildReplacement.ReplaceAll<Conv2d>(network, conv =>
    {
        if (!Unfoldable(conv)) return null;
        var unfolded = new UnfoldedConv2d(conv);
        conv.Dispose();
        return unfolded;
    });

    private static bool Unfoldable(Conv2d conv) =>
        conv.in_channels <= MostInputChannels && conv.groups == 1 && conv.padding_mode == PaddingModes.Zeros && conv.padding_type is null;
}
