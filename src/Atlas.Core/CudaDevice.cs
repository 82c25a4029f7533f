using System.Runtime.InteropServices;
using TorchSharp;

namespace Atlas.Core;

/// <summary>
/// The current CUDA device's name (driver API) and its free and total memory (the CUDA runtime's
/// cudaMemGetInfo, from the libcudart that PyTorch's libtorch already loaded). TorchSharp has no API for
/// either. Null on the CPU or when the library does not answer.
/// </summary>
public static class CudaDevice
{
    private delegate int MemGetInfo(out nuint free, out nuint total);

    // The sonames PyTorch builds link against, newest first; dlopen returns the copy already in the process.
    private static readonly string[] RuntimeNames = ["libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so"];
    private static readonly Lazy<MemGetInfo?> Query = new(Resolve);

    private delegate int DeviceGetName(byte[] name, int length, int device);

    /// <summary>The CUDA device's marketing name (driver API cuDeviceGetName), or null on the CPU.</summary>
    public static string? Name()
    {
        if (TorchRuntime.Device.type != DeviceType.CUDA) return null;
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var driver) || !NativeLibrary.TryGetExport(driver, "cuDeviceGetName", out var address)) return null;
        var name = new byte[256];
        int ordinal = TorchRuntime.Device.index < 0 ? 0 : TorchRuntime.Device.index;
        return Marshal.GetDelegateForFunctionPointer<DeviceGetName>(address)(name, name.Length, ordinal) == 0
            ? System.Text.Encoding.ASCII.GetString(name).TrimEnd('\0')
            : null;
    }

    public static (long Free, long Total)? Memory()
    {
        if (TorchRuntime.Device.type != DeviceType.CUDA || Query.Value is not { } query) return null;
        return query(out var free, out var total) == 0 ? ((long)free, (long)total) : null;
    }

    /// <summary>Whether libtorch gave up for lack of device memory (it says so only in the message).</summary>
    public static bool IsOutOfMemory(Exception e) =>
        e.GetBaseException().Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);

    private static MemGetInfo? Resolve()
    {
        foreach (var name in RuntimeNames)
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "cudaMemGetInfo", out var address))
                return Marshal.GetDelegateForFunctionPointer<MemGetInfo>(address);
        }
        // Some PyTorch builds keep the runtime beside libtorch rather than on the loader's path.
        if (TorchRuntime.LibTorchFolder is { } folder)
        {
            foreach (var path in Directory.EnumerateFiles(folder, "libcudart*.so*"))
            {
                if (NativeLibrary.TryLoad(path, out var library) && NativeLibrary.TryGetExport(library, "cudaMemGetInfo", out var address))
                    return Marshal.GetDelegateForFunctionPointer<MemGetInfo>(address);
            }
        }
        return null;
    }
}
