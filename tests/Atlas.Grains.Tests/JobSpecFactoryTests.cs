using Atlas.Abstractions;
using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Atlas.Grains.Jobs;
using TorchSharp;

namespace Atlas.Grains.Tests;

/// <summary>How featureVis.channelsPerUnit becomes the job's feature-vis units.</summary>
public class JobSpecFactoryTests
{
    private static readonly LayerInfo[] Layers = [new("conv1", LayerKind.Conv, 300, 14, 14), new("logits", LayerKind.Linear, 10, 1, 1)];
    private static readonly string Checkpoint = new('a', 64);

    private static AtlasConfig Config(int? channelsPerUnit) => new()
    {
        Name = "units",
        Model = new() { Architecture = "demo-cnn", Checkpoint = "/unused.pt" },
        Dataset = new() { Kind = "idx", Path = "/unused", Split = "test" },
        FeatureVis = new() { ChannelsPerUnit = channelsPerUnit },
    };

    private static List<(int Start, int End)> FeatureVisRanges(AtlasJobSpec spec, string layer) =>
        JobPlanner.Plan(spec).Where(u => u.Kind == WorkKind.FeatureVis && u.Layer == layer).Select(u => (u.Start, u.End)).ToList();

    [Fact]
    public void Unset_the_unit_size_follows_the_device_that_plans_and_the_config_keeps_it_unset()
    {
        var spec = JobSpecFactory.Create(Config(null), Checkpoint, Layers, 100);

        int expected = TorchRuntime.Device.type == DeviceType.CUDA ? FeatureVisSettings.GpuChannelsPerUnit : FeatureVisSettings.CpuChannelsPerUnit;
        Assert.Equal(expected, spec.UnitsPerWorkUnit);
        var ranges = FeatureVisRanges(spec, "conv1");
        Assert.Equal((300 + expected - 1) / expected, ranges.Count);
        Assert.All(ranges.SkipLast(1), r => Assert.Equal(expected, r.End - r.Start));
        Assert.Equal(300, ranges[^1].End);
        // Workers read the config as written: "auto" is not frozen into it, only into the plan.
        Assert.Null(AtlasConfigLoader.Deserialize(spec.ConfigJson).FeatureVis.ChannelsPerUnit);
    }

    [Fact]
    public void A_configured_unit_size_is_used_on_every_device()
    {
        var spec = JobSpecFactory.Create(Config(7), Checkpoint, Layers, 100);

        Assert.Equal(7, spec.UnitsPerWorkUnit);
        Assert.Equal([(0, 7), (7, 10)], FeatureVisRanges(spec, "logits"));
        var seven = new FeatureVisConfig { ChannelsPerUnit = 7 };
        Assert.Equal(7, FeatureVisSettings.ChannelsPerUnit(seven, DeviceType.CUDA));
        Assert.Equal(7, FeatureVisSettings.ChannelsPerUnit(seven, DeviceType.CPU));
    }

    [Fact]
    public void Unset_a_gpu_gets_units_four_times_the_cpus_so_one_unit_fills_its_batch()
    {
        var unset = new FeatureVisConfig();
        Assert.Equal(4 * FeatureVisSettings.ChannelsPerUnit(unset, DeviceType.CPU), FeatureVisSettings.ChannelsPerUnit(unset, DeviceType.CUDA));
    }
}
