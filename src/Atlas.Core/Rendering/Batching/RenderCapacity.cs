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
/// batch if the device still runs out. On the CPU the same estimate is held to <see cref="CpuBudgetBytes"/>:
/// there a batch whose tensors outgrow the caches (and glibc's 32 MB limit for reusing freed heap memory, past
/// which every step maps fresh pages) renders slower per picture, not faster.
/// </summary>
public static class RenderCapacity
{
    /// <summary>Multiplier from the catalog's layer outputs to a picture's whole forward+backward footprint.</summary>
    public const double FootprintFactor = 12;

    /// <summary>Share of free device memory an optimisation may plan to use (the rest absorbs fragmentation).</summary>
    public const double UsableShare = 0.8;

    /// <summary>The most pictures per optimisation on the CPU, for small models (the demo CNN's 224-picture units fit whole).</summary>
    public const int CpuPictures = 512;

    /// <summary>
    /// Host memory one CPU optimisation may plan to use, by the footprint estimate. GoogLeNet at 128 px gets 11–35
    /// pictures by layer (14 at inception4a), where two cores rendered a unit's 224 pictures 1.8× faster in
    /// optimisations of 14 than in one, with 2 % of the page faults and a fifth of the memory (bench/RESULTS.md);
    /// the demo CNN gets 492, so its units stay one optimisation.
    /// </summary>
    public const long CpuBudgetBytes = 512L << 20;

    /// <summary>Never more than this per optimisation, whatever the memory: beyond it a GPU is saturated.</summary>
    public const int MaxPictures = 4096;

    public static long BytesPerPicture(IAtlasModel model, IReadOnlyList<LayerInfo> catalog, IEnumerable<string> layers, int height, int width) =>
        (long)Math.Ceiling(ActivationFootprint.Bytes(model, catalog, layers, height, width) * FootprintFactor);

    /// <summary>Pictures that fit one optimisation now, at least 1.</summary>
    public static int Pictures(long bytesPerPicture, Device device, (long Free, long Total)? memory)
    {
        bool gpu = device.type != DeviceType.CPU && memory is not null;
        double budget = gpu ? memory!.Value.Free * UsableShare : CpuBudgetBytes;
        long fit = (long)(budget / Math.Max(1, bytesPerPicture));
        return (int)Math.Clamp(fit, 1, gpu ? MaxPictures : CpuPictures);
    }
}
