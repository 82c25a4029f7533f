using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Core.Models;

namespace Atlas.Grains.Jobs;

/// <summary>
/// The one way a job spec is made from a config, a checkpoint hash and the measured layers — shared
/// by `run`/`submit` and the checkpoint watcher, so both name a version's job identically.
/// </summary>
public static class JobSpecFactory
{
    public static string VersionOf(string checkpointSha256) => checkpointSha256[..12];

    public static AtlasJobSpec Create(AtlasConfig config, string checkpointSha256, IReadOnlyList<LayerInfo> layers, int datasetCount)
    {
        var version = VersionOf(checkpointSha256);
        var plans = layers.Select(l => new LayerPlan(l.Name, Math.Min(l.Channels, config.MaxUnitsPerLayer ?? int.MaxValue))).ToList();
        return new AtlasJobSpec(
            JobId: $"{config.Name}/{version}",
            Atlas: config.Name,
            Version: version,
            ConfigJson: AtlasConfigLoader.Serialize(config),
            Layers: plans,
            DatasetCount: datasetCount,
            UnitsPerWorkUnit: config.FeatureVis.ChannelsPerUnit,
            ImagesPerShard: config.Examples.ImagesPerShard,
            StoreLocation: config.Output.Store);
    }
}
