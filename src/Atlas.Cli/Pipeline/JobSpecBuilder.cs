using Atlas.Abstractions;
using Atlas.Core.Comparison;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Grains.Jobs;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// Turns a config into a job spec: loads the checkpoint once (which also proves it is readable),
/// measures the layer catalog, checks the requested layers, and names the version by content hash.
/// </summary>
public static class JobSpecBuilder
{
    /// <param name="workerDevice">The device of the cluster's workers (sizes unset work units); null: this machine's.</param>
    public static AtlasJobSpec Build(AtlasConfig config, ILogger? logger = null, DeviceType? workerDevice = null) =>
        BuildWithLayers(config, logger, workerDevice).Spec;

    /// <summary>
    /// The job spec and its layers' weight fingerprints, which say what this version may take from an earlier one
    /// (<see cref="Grains.Watchers.LayerReuse"/>).
    /// </summary>
    public static (AtlasJobSpec Spec, IReadOnlyDictionary<string, string> Fingerprints) BuildWithFingerprints(AtlasConfig config, ILogger? logger = null,
        DeviceType? workerDevice = null)
    {
        IReadOnlyDictionary<string, string> fingerprints = new Dictionary<string, string>();
        var (spec, _) = BuildWithLayers(config, logger, workerDevice,
            (model, layers) => fingerprints = LayerFingerprints.Compute(model, layers.Select(l => l.Name).ToList()));
        return (spec, fingerprints);
    }

    /// <summary>The job spec and the catalog entries of its layers (kind and shape), for a plan that shows them.</summary>
    /// <param name="whileLoaded">Called with the loaded model and the atlas's layers before the model is disposed of.</param>
    public static (AtlasJobSpec Spec, IReadOnlyList<LayerInfo> Layers) BuildWithLayers(AtlasConfig config, ILogger? logger = null, DeviceType? workerDevice = null,
        Action<IAtlasModel, IReadOnlyList<LayerInfo>>? whileLoaded = null)
    {
        IReadOnlyList<string> classes;
        int count;
        using (var data = DatasetOpener.Open(config.Dataset))
        {
            DatasetReadability.EnsureSomeReadable(data);
            classes = data.ClassNames;
            count = data.Count;
        }
        if (ImageFolderListing.LooseImagesWarning(config.Dataset) is { } loose) logger?.LogWarning("{Warning}", loose);
        IReadOnlyList<LayerInfo> layers;
        using (var model = ModelLoader.Load(config.Model, classes, logger))
        {
            layers = LayerCatalog.Select(LayerCatalog.Measure(model), config.Layers, "layers");
            InputSizeCheck.Ensure(model, layers, config);
            whileLoaded?.Invoke(model, layers);
        }

        return (JobSpecFactory.Create(config, ModelLoader.Sha256(config.Model.Checkpoint), layers, count, workerDevice), layers);
    }
}
