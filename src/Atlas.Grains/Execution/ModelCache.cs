using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;

namespace Atlas.Grains.Execution;

/// <summary>
/// Keeps the most recently used model loaded on this executor's device: consecutive units of one job
/// reuse it, and a unit of another job swaps it. Only the executor thread touches it.
/// </summary>
public sealed class ModelCache : IDisposable
{
    private string? key;
    private IAtlasModel? model;
    private IReadOnlyList<LayerInfo>? catalog;

    public (IAtlasModel Model, IReadOnlyList<LayerInfo> Catalog) Get(AtlasConfig config)
    {
        var wanted = $"{config.Model.Architecture}|{config.Model.Checkpoint}|{File.GetLastWriteTimeUtc(config.Model.Checkpoint).Ticks}";
        if (wanted != key || model is null)
        {
            model?.Dispose();
            model = null;
            IReadOnlyList<string> classes;
            using (var data = DatasetOpener.Open(config.Dataset)) classes = data.ClassNames;
            model = ModelLoader.Load(config.Model, classes);
            catalog = LayerCatalog.Measure(model);
            key = wanted;
        }
        return (model, catalog!);
    }

    public void Dispose() => model?.Dispose();
}
