using Atlas.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Examples;

/// <summary>
/// Images per forward pass of the dataset pass when examples.batchSize is not set. On a GPU: as many as
/// fit in a share of the free memory, up to <see cref="GpuImages"/>. On the CPU: as many as fit in
/// <see cref="CpuBudgetBytes"/>, up to <see cref="CpuImages"/> (the demo CNN gets 500, GoogLeNet at 224 px
/// 22; on two cores GoogLeNet's pass ran a few percent faster at 16–32 images than at 44–64, see
/// bench/RESULTS.md). The estimate is <see cref="ActivationFootprint"/> times <see cref="FootprintFactor"/>;
/// if the device runs out anyway, the caller halves the batch.
/// </summary>
public static class ScanBatchSize
{
    /// <summary>
    /// No gradients are kept, so at any moment only a few layers' outputs are alive, while the footprint sums
    /// all of them: doubling it still errs large, and covers the tensors inside blocks the catalog does not list.
    /// </summary>
    public const double FootprintFactor = 2;

    /// <summary>Share of free device memory a batch may plan to use: the silo's other worker loop may be rendering beside it.</summary>
    public const double UsableShare = 0.4;

    /// <summary>
    /// The most images per batch on a GPU. On an H200 GoogLeNet's pass ran 7.6 % faster at 1,024 than at 512
    /// in float16 and 0.5 % faster again at 2,048 (bench/RESULTS.md): the per-batch costs are paid off by 1,024.
    /// </summary>
    public const int GpuImages = 1024;

    /// <summary>The most images per batch on the CPU, where a larger batch no longer pays (and the former default).</summary>
    public const int CpuImages = 500;

    /// <summary>Host memory a CPU batch may plan to use: enough for any batch that still pays on a CPU, little enough for a laptop.</summary>
    public const long CpuBudgetBytes = 512L << 20;

    /// <summary>The configured size, or the one sized here for <paramref name="model"/> reading <paramref name="layers"/> now.</summary>
    public static int For(int? configured, IAtlasModel model, IReadOnlyList<LayerInfo> catalog, IEnumerable<string> layers) =>
        configured ?? Images(BytesPerImage(model, catalog, layers), ModelDevice.Of(model), CudaDevice.Memory());

    public static long BytesPerImage(IAtlasModel model, IReadOnlyList<LayerInfo> catalog, IEnumerable<string> layers) =>
        (long)Math.Ceiling(ActivationFootprint.Bytes(model, catalog, layers, model.Input.Height, model.Input.Width) * FootprintFactor);

    /// <summary>Images per batch for that footprint, at least 1; <paramref name="memory"/> is the GPU's (free, total) bytes.</summary>
    public static int Images(long bytesPerImage, Device device, (long Free, long Total)? memory)
    {
        bool gpu = device.type != DeviceType.CPU && memory is not null;
        double budget = gpu ? memory!.Value.Free * UsableShare : CpuBudgetBytes;
        long fit = (long)(budget / Math.Max(1, bytesPerImage));
        return (int)Math.Clamp(fit, 1, gpu ? GpuImages : CpuImages);
    }
}
