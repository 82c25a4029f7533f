using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Atlas.Grains.Execution;

/// <summary>
/// Keeps the most recently used model loaded on this executor's device: consecutive units of one job
/// reuse it, and a unit of another job swaps it. Rendering may want the network in another precision
/// (featureVis.precision); that copy is kept beside it, with its <see cref="RenderBatcher"/>, so what the
/// batcher learned about the device's memory carries over between units. Only the executor thread touches it.
/// </summary>
public sealed class ModelCache(ILogger? logger = null) : IDisposable
{
    private string? key;
    private IAtlasModel? model;
    private IReadOnlyList<LayerInfo>? catalog;
    private IAtlasModel? renderModel;
    private RenderBatcher? batcher;

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

    /// <summary>The model for rendering in the config's precision (the same instance when that is float32) and its batcher.</summary>
    public (IAtlasModel Model, IReadOnlyList<LayerInfo> Catalog, RenderBatcher Batcher) GetForRendering(AtlasConfig config)
    {
        var (full, layers) = Get(config);
        var type = RenderPrecision.For(config.FeatureVis.Precision, ModelDevice.Of(full));
        if (renderModel is null || renderModel.ComputeType != type)
        {
            if (!ReferenceEquals(renderModel, model)) renderModel?.Dispose();
            if (type == ScalarType.Float32) renderModel = full;
            else
            {
                renderModel = Load(config);
                renderModel.ConvertTo(type);
            }
            batcher = new RenderBatcher(renderModel, layers, logger);
        }
        return (renderModel, layers, batcher!);
    }

    private static IAtlasModel Load(AtlasConfig config)
    {
        IReadOnlyList<string> classes;
        using (var data = DatasetOpener.Open(config.Dataset)) classes = data.ClassNames;
        return ModelLoader.Load(config.Model, classes);
    }

    private void DisposeModels()
    {
        if (!ReferenceEquals(renderModel, model)) renderModel?.Dispose();
        model?.Dispose();
        renderModel = model = null;
        batcher = null;
    }

    public void Dispose() => DisposeModels();
}
