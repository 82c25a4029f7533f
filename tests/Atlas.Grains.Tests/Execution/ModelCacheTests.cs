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
    private static readonly Lazy<string> AlexNetCheckpoint = new(() => SavedAlexNet(1));

    /// <summary>AlexNet with every weight a thousand times larger: its deeper activations leave float16's range.</summary>
    private static readonly Lazy<string> LoudAlexNetCheckpoint = new(() => SavedAlexNet(1000));

    /// <summary>A seeded AlexNet for 10 classes with every parameter multiplied by <paramref name="scale"/>, saved in TorchSharp's format.</summary>
    private static string SavedAlexNet(float scale)
    {
        TorchRuntime.Initialize();
        random.manual_seed(3);
        var zoo = ModelZoo.Get("alexnet");
        using var network = zoo.Create(new Atlas.Core.Models.Zoo.ZooBuildOptions(10, TransformInput: false));
        using (no_grad())
            foreach (var parameter in network.parameters()) parameter.mul_(scale);
        var path = Path.Combine(WatchTestData.NewFolder("alexnet"), "alexnet.pt");
        network.save(path);
        return path;
    }

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

    [Fact]
    public void A_float16_overflow_redoes_the_shard_in_float32_and_later_shards_start_there()
    {
        var config = Config("auto", "auto") with
        {
            Model = Config("auto", "auto").Model with { Checkpoint = LoudAlexNetCheckpoint.Value },
            Dataset = Config("auto", "auto").Dataset with { ImageSize = 64, Channels = 3 }, // AlexNet's input here
            Examples = new() { Precision = "float16", TopK = 3, BatchSize = 8 },
        };
        var exactConfig = config with { Examples = config.Examples with { Precision = "float32" } };
        using var cache = new ModelCache();
        HashSet<string> layers = ["conv1", "conv5", "fc7"];

        var (first, _) = cache.GetForScanning(config);
        Assert.Equal(ScalarType.Float16, first.ComputeType);
        var (tables, _) = ExampleShardUnit.Scan(cache, config, layers, 0, 16, CancellationToken.None);

        using var exactCache = new ModelCache();
        var (expected, _) = ExampleShardUnit.Scan(exactCache, exactConfig, layers, 0, 16, CancellationToken.None);
        Assert.Equal(layers.Order(), tables.Keys.Order());
        foreach (var layer in layers)
            for (int unit = 0; unit < expected[layer].UnitCount; unit++)
                Assert.Equal(expected[layer].For(unit), tables[layer].For(unit));
        var deepest = expected["fc7"];
        Assert.Contains(Enumerable.Range(0, deepest.UnitCount).SelectMany(deepest.For), hit => hit.Value > 65_504); // float16 could not have held it
        Assert.Equal(ScalarType.Float32, cache.GetForScanning(config).Model.ComputeType); // the next shard starts in float32
    }

    [Fact]
    public void A_scan_that_ran_out_of_memory_halves_the_model_s_later_batches_until_another_model_loads()
    {
        var sized = Config("auto", "auto");
        var configured = sized with { Examples = sized.Examples with { BatchSize = 12 } };
        using var cache = new ModelCache();
        var (model, catalog) = cache.GetForScanning(sized);
        int auto = cache.ScanBatch(sized, model, catalog);
        Assert.Equal(Core.Examples.ScanBatchSize.For(null, model, catalog, catalog.Select(l => l.Name)), auto);
        Assert.Equal(12, cache.ScanBatch(configured, model, catalog));

        cache.ScanOutOfMemory(12);
        Assert.Equal(6, cache.ScanBatch(configured, model, catalog));
        Assert.Equal(Math.Min(auto, 6), cache.ScanBatch(sized, model, catalog));

        // Another checkpoint is another model: what this one's memory allowed no longer applies.
        var other = configured with { Model = configured.Model with { Checkpoint = LoudAlexNetCheckpoint.Value } };
        var (otherModel, otherCatalog) = cache.GetForScanning(other);
        Assert.Equal(12, cache.ScanBatch(other, otherModel, otherCatalog));
    }
}
