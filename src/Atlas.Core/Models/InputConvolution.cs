using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Puts a <see cref="SpaceToDepthConv2d"/> in the place of every strided convolution of a working copy that reads
/// at most <see cref="MostInputChannels"/> channels (in the zoo, the first convolution, which reads the image), in a
/// <see cref="Sequential"/> list or in a field of its parent such as ResNet's conv1 (<see cref="ChildReplacement"/>).
/// </summary>
public static class InputConvolution
{
    /// <summary>Convolutions over this many input channels or fewer are rearranged: an image's (grey, RGB, RGBA).</summary>
    public const int MostInputChannels = 4;

    /// <summary>
    /// Reads model.inputConvolution: whether a working copy on <paramref name="device"/> that computes in
    /// <paramref name="type"/> computes the convolution that reads the image as space to depth.
    /// </summary>
    public static bool For(string inputConvolution, Device device, ScalarType type) => inputConvolution switch
    {
        "spaceToDepth" => true,
        "native" => false,
        // On an H200 the engine rendered inception4a 6 % faster with it in float32 and 19-22 % in bfloat16,
        // and its dataset pass ran 1-4 % and 6-16 % faster (bench/RESULTS.md, sixth session); conv1 alone, in
        // bfloat16, took 3.1 against cuDNN's 4.3 ms (bench/conv1_forms.py). On the 2-core CPU it sped rendering up by 4-7 % but
        // slowed the dataset pass by 6 %, so oneDNN keeps the convolution there.
        "auto" => device.type == DeviceType.CUDA,
        var other => throw new AtlasInputException($"model.inputConvolution: '{other}' is not auto, native or spaceToDepth"),
    };

    /// <summary>Replaces the convolutions in place; returns how many it replaced.</summary>
    public static int Apply(nn.Module network) => ChildReplacement.ReplaceAll<Conv2d>(network, conv =>
    {
        if (conv.in_channels > MostInputChannels || !SpaceToDepthConv2d.Handles(conv)) return null;
        var rearranged = new SpaceToDepthConv2d(conv);
        conv.Dispose();
        return rearranged;
    });
}
