using Atlas.Core.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// What the working copies that render and scan are on a device when the config leaves every choice on
/// `auto`, in words, for `atlas doctor`: each part is decided by the same function the model cache asks.
/// </summary>
public static class WorkingCopyDefaults
{
    public static string Rendering(Device device)
    {
        var type = RenderPrecision.For("auto", device);
        return Describe(device, type, gradients: true);
    }

    /// <summary>The dataset pass computes in examples.precision's auto choice, and without gradients.</summary>
    public static string DatasetPass(Device device) => Describe(device, Examples.ScanPrecision.For("auto", device), gradients: false);

    private static string Describe(Device device, ScalarType type, bool gradients)
    {
        var parts = new List<string> { RenderPrecision.Name(type) };
        if (ChannelsLast.For("auto", device)) parts.Add("channels-last");
        parts.Add("batch norms folded");
        if (gradients && MaxPoolGradient.For("auto", device)) parts.Add("scatter max-pool backward");
        if (InceptionMerging.For("auto", device, type)) parts.Add("Inception 1×1 convolutions merged");
        if (InputConvolution.For("auto", device, type)) parts.Add("input convolution as space to depth");
        return string.Join(", ", parts);
    }
}
