using Atlas.Core;
using TorchSharp;

namespace Atlas.Cli.Hosting;

/// <summary>Reads `atlas silo --devices`: "all" (every CUDA device libtorch sees) or CUDA indices such as "0,2".</summary>
public static class DeviceList
{
    public static IReadOnlyList<int> Parse(string value)
    {
        if (value.Trim() == "all")
        {
            int found = CudaDeviceCount();
            if (found == 0)
                throw new AtlasInputException($"--devices all: no CUDA device found (set {TorchRuntime.LibTorchFolderVariable} to a CUDA build's torch/lib; `atlas doctor` shows what loaded)");
            return Enumerable.Range(0, found).ToList();
        }
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var devices = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, out int index) || index < 0)
                throw new AtlasInputException($"--devices: '{value}' is not all or a comma-separated list of device indices such as 0,1");
            if (devices.Contains(index)) throw new AtlasInputException($"--devices: device {index} is named twice");
            devices.Add(index);
        }
        return devices;
    }

    /// <summary>The CUDA devices libtorch sees here (0 without a CUDA build or GPU).</summary>
    public static int CudaDeviceCount()
    {
        TorchRuntime.Initialize();
        return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
    }
}
