using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Grains.Execution;
using Atlas.Grains.Tests.Watchers;
using static TorchSharp.torch;

namespace Atlas.Grains.Tests.Execution;

/// <summary>
/// The working copies the executor renders with. AlexNet has no batch norms, so in float32 on the CPU with the
/// default settings there is nothing to fold or rewrite and the job's model itself serves; a rewrite the config
/// asks for (as a GPU's defaults do) must still get its own copy, while the analysis keeps the checkpoint's.
/// </summary>
public class ModelCacheTests
{
    private static readonly Lazy<string> AlexNetCheckpoint = new(() =>
    {
        TorchRuntime.Initialize();
        random.manual_seed(3);
        var zoo = ModelZoo.Get("alexnet");
        using var network = zoo.Create(new Atlas.Core.Models.Zoo.ZooBuildOptions(10, TransformInput: false));
        var path = Path.Combine(WatchTestData.NewFolder("alexnet"), "alexnet.pt");
        network.save(path);
        return path;
    });

    private static AtlasConfig Config(string maxPoolBackward, string inputConvolution) => new()
    {
        Name = "alexnet-cache",
        Model = new() { Architecture = "alexnet", Checkpoint = AlexNetCheckpoint.Value, InputSize = 64, MaxPoolBackward = maxPoolBackward, InputConvolution = inputConvolution },
        Dataset = new() { Kind = "idx", Path = WatchTestData.IdxDataset(count: 16), Split = "test", ImageSize = 28, Channels = 1 },
    };

    [Fact]
    public void Without_batch_norms_the_model_itself_renders_unless_the_config_asks_for_a_rewrite()
    {
        using (var defaults = new ModelCache())
        {
            var config = Config("auto", "auto");
            Assert.Same(defaults.Get(config).Model, defaults.GetForRendering(config).Model);
        }

        using var rewritten = new ModelCache();
        var asked = Config("scatter", "spaceToDepth");
        var (analysed, _) = rewritten.Get(asked);
        var (rendering, _, _) = rewritten.GetForRendering(asked);
        Assert.NotSame(analysed, rendering);
        Assert.Contains(rendering.Network.modules(), m => m is ScatterMaxPool2d);
        Assert.Contains(rendering.Network.modules(), m => m is SpaceToDepthConv2d);
        Assert.DoesNotContain(analysed.Network.modules(), m => m is ScatterMaxPool2d or SpaceToDepthConv2d);

        // Same activations either way: the copy is a faster form of the same network.
        using var scope = NewDisposeScope();
        var pixels = rand(2, 3, 64, 64);
        var expected = analysed.Activations(pixels, ["conv5"], preActivation: true)["conv5"];
        var actual = rendering.Activations(pixels, ["conv5"], preActivation: true)["conv5"];
        Assert.True((expected - actual).abs().max().item<float>() <= 1e-4 * Math.Max(1, expected.abs().max().item<float>()));
    }
}
