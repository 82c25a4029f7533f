using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Lets the convolution that reads the image keep the contiguous (NCHW) layout in a channels-last network.
/// A convolution's output takes its weight's layout, so that convolution and everything up to the next
/// convolution (GoogLeNet's first max pool) then compute in NCHW, and the next convolution, whose weight is
/// channels-last, converts its input: a quarter of conv1's output after the pool. The point is speed on a GPU:
/// the image arrives NCHW, and there cuDNN's space-to-depth conv1 in bfloat16 took 2.1 ms in NCHW against
/// 3.1 ms in NHWC (bench/conv1_forms.py, bench/RESULTS.md), and libtorch's NHWC max-pool forward is its slowest pool
/// kernel. Values do not change; only where the bytes lie.
/// </summary>
public static class StemMemoryFormat
{
    /// <summary>Reads model.stemMemoryFormat: whether the image's convolution on <paramref name="device"/> keeps NCHW.</summary>
    public static bool Contiguous(string stemMemoryFormat, Device device) => stemMemoryFormat switch
    {
        "contiguous" => true,
        "channelsLast" => false,
        "auto" => false,
        var other => throw new AtlasInputException($"model.stemMemoryFormat: '{other}' is not auto, contiguous or channelsLast"),
    };

    /// <summary>
    /// Makes the weights of the convolutions that read at most <see cref="InputConvolution.MostInputChannels"/>
    /// channels contiguous, in place; returns how many changed. Run it before <see cref="InputConvolution.Apply"/>,
    /// whose rearranged convolution takes the layout of the weight it replaces.
    /// </summary>
    public static int Apply(nn.Module network)
    {
        int changed = 0;
        using var noGrad = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            if (module is not Conv2d conv || conv.in_channels > InputConvolution.MostInputChannels || !ChannelsLast.Chosen(conv.weight)) continue;
            using var scope = NewDisposeScope();
            var weight = conv.weight;
            conv.weight = new Parameter(weight.contiguous(), weight.requires_grad);
            changed++;
        }
        return changed;
    }
}
