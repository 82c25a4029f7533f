using Atlas.Core.Analysis;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Analysis;

[Collection(GlobalTorchRandomCollection.Name)]
public class UnitMapTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // channels-last activations, as GPU and CPU working copies have them
    public void Each_image_gets_its_own_units_map_scaled_to_its_peak(bool channelsLast)
    {
        using var model = WorkingCopyNetworks.Build("googlenet", seed: 12, channelsLast, randomBatchNorms: false);
        using var scope = NewDisposeScope();
        var pixels = rand(3, 3, 64, 64);
        var activation = model.Activations(pixels, ["inception3a"])["inception3a"].to(float32).contiguous();
        // A different live unit for each image: the first, the last and a middle one that fires on it.
        var live = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, (int)activation.shape[1])
            .Where(c => activation[i, c].max().item<float>() > 0).ToList()).ToList();
        int[] units = [live[0][0], live[1][^1], live[2][live[2].Count / 2]];
        var maps = ActivationMaps.UnitMaps(model, pixels, "inception3a", units);
        Assert.Equal(3, maps.Count);
        for (int i = 0; i < units.Length; i++)
        {
            var expected = activation[i, units[i]].relu();
            float peak = expected.max().item<float>();
            var actual = tensor(maps[i].SelectMany(r => r).ToArray()).view(expected.shape);
            WorkingCopyNetworks.AssertClose(expected / peak, actual, 1e-6, $"map of unit {units[i]} on image {i}");
            Assert.Equal(1f, maps[i].SelectMany(r => r).Max());
            Assert.True(maps[i].SelectMany(r => r).All(v => v >= 0));
        }
    }

    [Fact]
    public void A_layer_without_maps_is_refused_by_name()
    {
        using var model = WorkingCopyNetworks.Build("googlenet", seed: 12, channelsLast: false, randomBatchNorms: false);
        var error = Assert.Throws<AtlasInputException>(() => ActivationMaps.UnitMaps(model, rand(1, 3, 64, 64), "logits", [0]));
        Assert.Contains("'logits'", error.Message);
    }
}
