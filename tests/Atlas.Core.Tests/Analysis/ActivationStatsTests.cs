using Atlas.Core.Analysis;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Analysis;

// Builds networks from TorchSharp's global generator: kept apart from tests that seed it.
[Collection(GlobalTorchRandomCollection.Name)]
public class ActivationStatsTests
{
    [Fact]
    public void Statistics_of_a_known_batch_are_per_image_averages()
    {
        TorchRuntime.Initialize();
        // Image 0: channel 0 = [1, -1, 0, 2], channel 1 all zero. Image 1: channel 0 = [3, 3, 3, 3], channel 1 = [-2, 0, 0, 1].
        using var batch = tensor(new float[] { 1, -1, 0, 2, 0, 0, 0, 0, 3, 3, 3, 3, -2, 0, 0, 1 }).view(2, 2, 2, 2);
        var stats = ActivationStatsAccumulator.Of(batch);
        Assert.Equal(new long[] { 2, 2, 2 }, stats.Shape);
        Assert.Equal(2, stats.Images);
        Assert.Equal((2.0 / 8 + 11.0 / 8) / 2, stats.Mean, 10);
        Assert.Equal((6.0 / 8 + 3.0 / 8) / 2, stats.FractionNonPositive, 10);
        Assert.Equal((0.5 + 1.0) / 2, stats.FractionChannelsActive, 10);
    }

    [Fact]
    public void Accumulating_in_batches_or_merging_shards_equals_one_pass()
    {
        TorchRuntime.Initialize();
        using var all = randn(10, 3, 4, 4, generator: new Generator(2));
        var whole = ActivationStatsAccumulator.Of(all);
        var first = new ActivationStatsAccumulator();
        first.Add(all[..4]);
        var second = new ActivationStatsAccumulator();
        second.Add(all[4..7]);
        second.Add(all[7..]);
        first.Merge(second);
        var merged = first.Result();
        Assert.Equal(whole.Mean, merged.Mean, 10);
        Assert.Equal(whole.FractionNonPositive, merged.FractionNonPositive, 10);
        Assert.Equal(whole.FractionChannelsActive, merged.FractionChannelsActive, 10);
        Assert.Equal(10, merged.Images);
    }

    [Fact]
    public void Demo_layer_with_known_biases_gives_known_statistics_and_a_grid()
    {
        using var scope = NewDisposeScope();
        TorchRuntime.Initialize();
        var network = new DemoCnn();
        network.eval();
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            parameters["conv1.weight"].zero_();
            // Eight channels at +0.5 everywhere, eight dead at −0.5 before the ReLU.
            parameters["conv1.bias"].copy_(tensor(Enumerable.Range(0, 16).Select(c => c < 8 ? 0.5f : -0.5f).ToArray()));
        }
        using var model = new DemoCnnModel(network, FashionMnist.ClassNames);
        var result = ActivationMaps.Compute(model, rand(1, 1, 28, 28), ["conv1", "logits"]);
        var conv1 = result[0].Stats;
        Assert.Equal(new long[] { 16, 28, 28 }, conv1.Shape);
        Assert.Equal(0.25, conv1.Mean, 1e-6);
        Assert.Equal(0.5, conv1.FractionNonPositive, 1e-6);
        Assert.Equal(0.5, conv1.FractionChannelsActive, 1e-6);
        // 16 tiles of 28 px enlarged ×2 in a 4×4 grid with 2 px gaps; the logits have no map.
        Assert.Equal((1, 234, 234), (result[0].Grid!.Channels, result[0].Grid!.Height, result[0].Grid!.Width));
        Assert.Null(result[1].Grid);
        Assert.Equal(new long[] { 10 }, result[1].Stats.Shape);
    }

    [Fact]
    public void Weight_statistics_cover_every_value()
    {
        TorchRuntime.Initialize();
        using var a = tensor(new float[] { 1, 2, 3, 4 }).view(2, 2);
        using var b = tensor(new float[] { -1, -2 }).view(1, 2);
        var stats = WeightStats.Of([a, b])!;
        Assert.Equal(7.0 / 6, stats.Mean, 10);
        Assert.Equal(Math.Sqrt(new[] { 1.0, 2, 3, 4, -1, -2 }.Select(v => (v - 7.0 / 6) * (v - 7.0 / 6)).Average()), stats.Std, 1e-6);
        Assert.Null(WeightStats.Of([]));
    }
}
