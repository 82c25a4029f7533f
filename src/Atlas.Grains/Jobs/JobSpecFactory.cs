using Atlas.Abstractions;
using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using TorchSharp;

namespace Atlas.Grains.Jobs;

/// <summary>
/// The one way a job spec is made from a config, a checkpoint hash and the measured layers — shared
/// by `run`/`submit` and the checkpoint watcher, so both name a version's job identically.
/// </summary>
public static class JobSpecFactory
{
    public static string VersionOf(string checkpointSha256) => checkpointSha256[..12];

    /// <param name="workerDevice">
    /// The device the job's workers compute on, which sizes its work units when the config leaves them unset;
    /// null means this process's device (the embedded silo and a silo's watcher plan where they compute).
    /// </param>
    public static AtlasJobSpec Create(AtlasConfig config, string checkpointSha256, IReadOnlyList<LayerInfo> layers, int datasetCount,
        DeviceType? workerDevice = null)
    {
        var version = VersionOf(checkpointSha256);
        TorchRuntime.Initialize(); // the unit size depends on the device (callers have loaded the model, so this is a no-op)
        var plans = layers.Select(l => new LayerPlan(l.Name, Math.Min(l.Channels, config.MaxUnitsPerLayer ?? int.MaxValue))).ToList();
        return new AtlasJobSpec(
            JobId: $"{config.Name}/{version}",
            Atlas: config.Name,
            Version: version,
            ConfigJson: AtlasConfigLoader.Serialize(config),
            Layers: plans,
            DatasetCount: datasetCount,
            // Sized for the workers' device (see FeatureVisSettings.ChannelsPerUnit).
            UnitsPerWorkUnit: FeatureVisSettings.ChannelsPerUnit(config.FeatureVis, workerDevice ?? TorchRuntime.Device.type),
            ImagesPerShard: config.Examples.ImagesPerShard,
            StoreLocation: config.Output.Store);
    }
}
