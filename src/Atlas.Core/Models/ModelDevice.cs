using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>Where a model's weights live; every input made for the model must go there too.</summary>
public static class ModelDevice
{
    public static Device Of(IAtlasModel model) =>
        model.Network.parameters().Select(p => p.device).FirstOrDefault() ?? TorchRuntime.Device;

    /// <summary>
    /// Readies a network for atlas work: evaluation mode, no weight gradients (only inputs are optimised),
    /// and its weights where the work runs (the GPU when ATLAS_LIBTORCH_DIR gave one, see TorchRuntime).
    /// </summary>
    public static void FreezeOnRuntimeDevice(nn.Module network)
    {
        network.eval();
        foreach (var parameter in network.parameters()) parameter.requires_grad = false;
        if (TorchRuntime.Device.type != DeviceType.CPU) network.to(TorchRuntime.Device);
    }
}
