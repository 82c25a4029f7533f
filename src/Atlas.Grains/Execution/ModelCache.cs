using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Atlas.Grains.Execution;

/// <summary>
/// Keeps the most recently used model loaded on this executor's device: consecutive units of one job
/// reuse it, and a unit of another job swaps it. Rendering and the dataset pass use faster copies of it
/// (batch norms folded; rendering in featureVis.precision), kept beside it with the renderer's
/// <see cref="RenderBatcher"/>, so what the batcher learned about the device's memory carries over
/// between units. Only the executor thread touches it.
/// </summary>
public sealed class ModelCache(ILogger? logger = null) : IDisposable
{
    private string? key;
    private IAtlasModel? model;
    private IReadOnlyList<LayerInfo>? catalog;
    private bool float16Overflowed;
    // The dataset pass's batch once the device ran out of memory at a larger one; null until then.
    private int? scanBatchLimit;
    private bool scanBatchLogged;
    // Copies for the passes that only compute activations (rendering, the dataset pass), by compute type.
    private readonly Dictionary<ScalarType, IAtlasModel> fastCopies = [];
    private readonly Dictionary<ScalarType, RenderBatcher> batchers = [];

    /// <summary>The job's model with the checkpoint's own parameters, as the analysis and the version comparison read them.</summary>
    public (IAtlasModel Model, IReadOnlyList<LayerInfo> Catalog) Get(AtlasConfig config)
    {
        var wanted = $"{config.Model.Architecture}|{config.Model.Checkpoint}|{File.GetLastWriteTimeUtc(config.Model.Checkpoint).Ticks}";
        if (wanted != key || model is null)
        {
            DisposeModels();
            model = Load(config);
            catalog = LayerCatalog.Measure(model);
            key = wanted;
        }
        return (model, catalog!);
    }

    /// <summary>The model for rendering, in the config's precision, and its batcher.</summary>
    public (IAtlasModel Model, IReadOnlyList<LayerInfo> Catalog, RenderBatcher Batcher) GetForRendering(AtlasConfig config)
    {
        var (full, layers) = Get(config);
        var type = RenderPrecision.For(config.FeatureVis.Precision, ModelDevice.Of(full));
        var copy = FastCopy(config, type);
        if (!batchers.TryGetValue(type, out var batcher)) batchers[type] = batcher = new RenderBatcher(copy, layers, logger);
        return (copy, layers, batcher);
    }

    /// <summary>The model for the dataset pass, in examples.precision (float32 instead of float16 once float16 overflowed on this model).</summary>
    public (IAtlasModel Model, IReadOnlyList<LayerInfo> Catalog) GetForScanning(AtlasConfig config)
    {
        var (full, layers) = Get(config);
        var type = ScanPrecision.For(config.Examples.Precision, ModelDevice.Of(full));
        if (type == ScalarType.Float16 && float16Overflowed) type = ScalarType.Float32;
        return (FastCopy(config, type), layers);
    }

    /// <summary>
    /// Images per batch of the dataset pass of <paramref name="copy"/> (from <see cref="GetForScanning"/>): examples.batchSize,
    /// or sized from the device's memory when that is null (<see cref="ScanBatchSize"/>), and never more than a
    /// batch that ran out of memory on this model left (<see cref="ScanOutOfMemory"/>).
    /// </summary>
    public int ScanBatch(AtlasConfig config, IAtlasModel copy, IReadOnlyList<LayerInfo> layers)
    {
        int size = ScanBatchSize.For(config.Examples.BatchSize, copy, layers, layers.Select(l => l.Name));
        if (scanBatchLimit is { } limit) size = Math.Min(size, limit);
        if (!scanBatchLogged)
        {
            scanBatchLogged = true;
            logger?.LogInformation("Dataset pass of {Model}: {Images} images per batch ({Source})", copy.Architecture, size,
                config.Examples.BatchSize is null ? $"examples.batchSize unset: sized for {ModelDevice.Of(copy)}" : "examples.batchSize");
        }
        return size;
    }

    /// <summary>A dataset pass of <paramref name="batch"/> images ran out of device memory: this model's passes use half from now on.</summary>
    public void ScanOutOfMemory(int batch)
    {
        scanBatchLimit = Math.Max(1, batch / 2);
        logger?.LogWarning("Device out of memory scanning {Images} images per batch; retrying with {Limit}", batch, scanBatchLimit);
    }

    /// <summary>
    /// Float16 overflowed on the current model (<see cref="Float16OverflowException"/>): its dataset passes compute in
    /// float32 from now on, until another model is loaded. The float16 copy is freed: nothing asks for it again.
    /// </summary>
    public void ScanInFloat32(Float16OverflowException cause)
    {
        float16Overflowed = true;
        if (fastCopies.Remove(ScalarType.Float16, out var unused) && !ReferenceEquals(unused, model)) unused.Dispose();
        logger?.LogWarning("{Problem}; this model's dataset passes continue in float32", cause.Message);
    }

    /// <summary>
    /// A copy of the job's network with its batch norms folded into the convolutions (one pass over memory
    /// less per layer, see <see cref="BatchNormFolding"/>), in <paramref name="type"/>, and on a GPU with the
    /// scatter max-pool backward (<see cref="MaxPoolGradient"/>), the image's convolution as space to depth
    /// (<see cref="InputConvolution"/>) and, in bfloat16, GoogLeNet's 1×1 branch convolutions merged
    /// (<see cref="InceptionMerging"/>). A copy, because folding changes the parameters that the analysis
    /// shows and the version comparison hashes.
    /// </summary>
    private IAtlasModel FastCopy(AtlasConfig config, ScalarType type)
    {
        if (fastCopies.TryGetValue(type, out var copy)) return copy;
        var (full, _) = Get(config);
        var device = ModelDevice.Of(full);
        bool scatterPools = MaxPoolGradient.For(config.Model.MaxPoolBackward, device);
        bool merge = InceptionMerging.For(config.Model.BranchConvolutions, device, type);
        bool spaceToDepth = InputConvolution.For(config.Model.InputConvolution, device, type);
        // Nothing to fold, convert or rewrite (the demo CNN, VGG, AlexNet on a CPU by default): the model itself
        // serves. A rewrite the device or config asks for needs the copy even without batch norms (VGG on a GPU).
        if (type == ScalarType.Float32 && !BatchNormFolding.HasFoldable(full.Network) && !scatterPools && !merge && !spaceToDepth)
            return fastCopies[type] = full;
        copy = Load(config);
        int folded = copy.FoldBatchNorm(); // from the float32 weights, then rounded once
        if (type != ScalarType.Float32) copy.ConvertTo(type);
        // Only gradients go another way, so the dataset pass (no gradients) computes exactly as before.
        int pools = scatterPools ? MaxPoolGradient.Apply(copy.Network) : 0;
        int merged = merge ? copy.MergeBranchConvolutions() : 0;
        int rearranged = spaceToDepth ? copy.SpaceToDepthInputConvolutions() : 0;
        logger?.LogDebug("Working copy of {Model}: {Folded} batch norms folded, {Pools} max pools with the scatter backward, {Merged} Inception blocks with merged 1×1 convolutions, {Rearranged} input convolutions as space to depth, {Precision}",
            copy.Architecture, folded, pools, merged, rearranged, RenderPrecision.Describe(copy));
        return fastCopies[type] = copy;
    }

    private static IAtlasModel Load(AtlasConfig config)
    {
        IReadOnlyList<string> classes;
        using (var data = DatasetOpener.Open(config.Dataset)) classes = data.ClassNames;
        return ModelLoader.Load(config.Model, classes);
    }

    private void DisposeModels()
    {
        foreach (var copy in fastCopies.Values.Where(c => !ReferenceEquals(c, model))) copy.Dispose();
        fastCopies.Clear();
        batchers.Clear();
        float16Overflowed = false;
        scanBatchLimit = null;
        scanBatchLogged = false;
        model?.Dispose();
        model = null;
    }

    public void Dispose() => DisposeModels();
}
