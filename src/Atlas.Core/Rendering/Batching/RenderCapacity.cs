using TorchSharp;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// How many pictures one optimisation may hold on the model's device. On a GPU it is sized from the
/// device's free memory and an estimate of one picture's footprint: the activations of every atlas layer
/// up to the deepest one read, at the rendering size and the model's compute type, times
/// <see cref="FootprintFactor"/> for what the catalog does not list (branch-internal tensors, tensors saved
/// for the backward pass, their gradients). The estimate errs large; <see cref="RenderBatcher"/> halves the
/// batch if the device still runs out. On the CPU there is no memory to size from: the cap is fixed.
/// </summary>
public static class RenderCapacity
{
    /// <summary>Multiplier from the catalog's layer outputs to a picture's whole forward+backward footprint.</summary>
    public const double FootprintFactor = 12;

    /// <summary>Share of free device memory an optimisation may plan to use (the rest absorbs fragmentation).</summary>
    public const double UsableShare = 0.8;

    /// <summary>Pictures per optimisation on the CPU, where larger batches stop paying (bench/RESULTS.md).</summary>
    public const int CpuPictures = 512;

    /// <summary>Never more than this per optimisation, whatever the memory: beyond it a GPU is saturated.</summary>
    public const int MaxPictures = 4096;

    public static long BytesPerPicture(IAtlasModel model, IReadOnlyList<LayerInfo> catalog, IEnumerable<string> layers, int height, int width) =>
        (long)Math.Ceiling(ActivationFootprint.Bytes(model, catalog, layers, height, width) * FootprintFactor);

    /// <summary>Pictures that fit one optimisation now, at least 1.</summary>
    public static int Pictures(long bytesPerPicture, Device device, (long Free, long Total)? memory)
    {
        if (device.type == DeviceType.CPU || memory is null) return CpuPictures;
        long fit = (long)(memory.Value.Free * UsableShare / Math.Max(1, bytesPerPicture));
        return (int)Math.Clamp(fit, 1, MaxPictures);
    }
}
