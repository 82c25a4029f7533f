using Atlas.Core;
using TorchSharp;

namespace Atlas.Cli.Commands.Bench;

/// <summary>The machine a figure came from, printed beside it (figures from different devices do not compare).</summary>
public static class BenchDevice
{
    public static string Describe() => TorchRuntime.Device.type == DeviceType.CUDA
        ? $"{CudaDevice.Name() ?? "CUDA"} ({TorchRuntime.Device})"
        : $"CPU, {torch.get_num_threads()} threads";
}
