using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>Where a model's weights live; every input made for the model must go there too.</summary>
public static class ModelDevice
{
    public static Device Of(IAtlasModel model) =>
        model.Network.parameters().Select(p => p.device).FirstOrDefault() ?? TorchRuntime.Device;
}
