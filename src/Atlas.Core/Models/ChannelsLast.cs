using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Channels-last ("NHWC") memory layout for a network's convolutions: the layout oneDNN's CPU kernels and
/// a GPU's tensor cores compute in, so no transposes happen around a convolution. libtorch picks the NHWC
/// kernels when a convolution's weight (or input) has channels-last strides, and the output keeps that
/// layout, so the whole network follows once its weights are converted. TorchSharp has no memory-format
/// argument, but a layout is only strides: permuting to N×H×W×C, making that contiguous and permuting
/// back gives a tensor of the logical N×C×H×W shape whose bytes are in channels-last order.
/// </summary>
public static class ChannelsLast
{
    /// <summary>Converts every 2-D convolution's weight in place (values unchanged); returns how many needed converting.</summary>
    public static int Apply(nn.Module network)
    {
        if (network is jit.ScriptModule script) return ApplyToScript(script);
        int converted = 0;
        using var noGrad = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            if (module is not TorchSharp.Modules.Conv2d conv || IsChannelsLast(conv.weight)) continue;
            using var scope = NewDisposeScope();
            var weight = conv.weight;
            // The setter disposes the old weight, detaches the new one from this scope and registers it under the same name.
            conv.weight = new TorchSharp.Modules.Parameter(Of(weight), weight.requires_grad);
            converted++;
        }
        return converted;
    }

    /// <summary>
    /// A TorchScript module's convolutions are compiled code that reads its parameters as attributes, so a weight
    /// cannot be swapped for a new tensor as a TorchSharp module's can. Each 4-D parameter (in a CNN, the convolution
    /// weights) is instead re-pointed in place (<c>set_</c>) at a channels-last copy of itself: the module's code then
    /// reads the same values in the other layout. On the 2-core CPU an exported ResNet-18 rendered and scanned 1.2×
    /// faster so (bench/RESULTS.md, fourteenth session).
    /// </summary>
    private static int ApplyToScript(jit.ScriptModule module)
    {
        int converted = 0;
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters().Where(p => p.dim() == 4 && !IsChannelsLast(p)))
        {
            using var reordered = Of(parameter);
            parameter.set_(reordered);
            converted++;
        }
        return converted;
    }

    /// <summary>
    /// Whether the network's convolutions compute in channels-last: some convolution's weight (a TorchScript module's:
    /// some 4-D parameter) is in that layout and not also contiguous (a weight with one input channel is both, and
    /// says nothing).
    /// </summary>
    public static bool Uses(nn.Module network) => network is jit.ScriptModule
        ? network.parameters().Any(p => p.dim() == 4 && Chosen(p))
        : network.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.Conv2d>().Any(conv => Chosen(conv.weight));

    /// <summary>
    /// Whether a weight was put in channels-last order rather than merely allowing it: in that order and not
    /// also contiguous (a weight with one input channel, or a 1×1 kernel's in some strides, is both).
    /// </summary>
    public static bool Chosen(Tensor weight) => IsChannelsLast(weight) && !weight.is_contiguous();

    /// <summary>Reads model.memoryFormat: whether a network on <paramref name="device"/> uses channels-last.</summary>
    public static bool For(string memoryFormat, Device device) => memoryFormat switch
    {
        "channelsLast" => true,
        "contiguous" => false,
        // oneDNN's CPU kernels are faster in it (GoogLeNet rendering 1.4×, dataset pass 1.66× on the 2-core
        // CPU, bench/RESULTS.md); on an H200, PyTorch showed no measurable difference (design.md), so it is
        // on there too until bench/gpu-check.sh says otherwise for a device.
        "auto" => device.type is DeviceType.CUDA or DeviceType.CPU,
        var other => throw new AtlasInputException($"model.memoryFormat: '{other}' is not auto, contiguous or channelsLast"),
    };

    /// <summary>The same values as <paramref name="x"/> (N×C×H×W) stored in channels-last order.</summary>
    public static Tensor Of(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// Whether a 4-D tensor's bytes are in channels-last order: C varies fastest, then W, H, N. A dimension of
    /// size 1 has no meaningful stride (libtorch may normalise it), so it is skipped.
    /// </summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        var (shape, stride) = (x.shape, x.stride());
        long expected = 1;
        foreach (int d in (ReadOnlySpan<int>)[1, 3, 2, 0])
        {
            if (shape[d] == 1) continue;
            if (stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }
}
