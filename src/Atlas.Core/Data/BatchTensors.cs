using static TorchSharp.torch;

namespace Atlas.Core.Data;

public static class BatchTensors
{
    /// <summary>A batch's pixels as an N×C×H×W tensor on <paramref name="device"/> (the model's, see ModelDevice).</summary>
    public static Tensor ToTensor(this ImageBatch batch, IImageDataset data, Device device)
    {
        var host = empty(batch.Count, data.Channels, data.Height, data.Width);
        HostPixels.CopyInto(host, batch.Pixels);
        if (device.type == TorchSharp.DeviceType.CPU) return host;
        using (host) return host.to(device);
    }
}
