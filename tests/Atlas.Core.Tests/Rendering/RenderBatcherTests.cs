using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

[Collection(GlobalTorchRandomCollection.Name)]
public class RenderBatcherTests
{
    private static VisItem Item(int group) => new(Objectives.Channel("conv2", group), (ulong)group + 1, group);

    [Fact]
    public void Chunks_never_split_a_group_and_stay_within_the_limit_unless_one_group_alone_exceeds_it()
    {
        // Groups of sizes 3, 1, 4, 2: a unit's diversity pictures share a group and must share an optimisation.
        var items = new[] { 0, 0, 0, 1, 2, 2, 2, 2, 3, 3 }.Select(Item).ToList();
        var chunks = new List<List<VisItem>>();
        for (int start = 0; start < items.Count; start += chunks[^1].Count) chunks.Add(RenderBatcher.Chunk(items, start, limit: 4));

        Assert.Equal(new[] { 4, 4, 2 }, chunks.Select(c => c.Count));
        Assert.Equal(items, chunks.SelectMany(c => c));
        foreach (var group in items.GroupBy(i => i.Group))
            Assert.Single(chunks, c => c.Any(i => i.Group == group.Key));

        // A group larger than the limit still goes whole, alone.
        Assert.Equal(3, RenderBatcher.Chunk(items, 0, limit: 2).Count);
    }

    [Theory]
    [InlineData(16, 14, 8)] // two of 8, not 14 and a last one of 2
    [InlineData(15, 14, 8)]
    [InlineData(224, 14, 14)] // a CPU unit of GoogLeNet: 16 full optimisations
    [InlineData(14, 14, 14)]
    [InlineData(5, 512, 5)]
    [InlineData(896, 800, 448)]
    public void Pictures_beyond_one_optimisation_are_shared_out_evenly(int pictures, int limit, int expected)
    {
        Assert.Equal(expected, RenderBatcher.Balanced(pictures, limit));
    }

    [Fact]
    public void A_batch_just_over_the_limit_renders_as_two_even_optimisations()
    {
        using var model = TestModels.RandomDemo();
        var catalog = LayerCatalog.Measure(model);
        var items = UnitVisPlanner.Plan(catalog, "conv2", 0, 16, FeatureVisBenchmark.ChannelOnly).Select(p => p.Item).ToList();

        var batcher = new RenderBatcher(model, catalog);
        var pictures = batcher.Render(items, new RenderSettings { Steps = 1 }, maxPictures: 14);

        Assert.Equal(16, pictures.Count);
        Assert.Equal(2, batcher.Optimisations);
        Assert.Equal(8, batcher.LargestBatch);
    }

    [Fact]
    public void Rendering_in_small_optimisations_gives_the_pictures_of_one_large_optimisation()
    {
        using var model = TestModels.RandomDemo();
        var catalog = LayerCatalog.Measure(model);
        var items = UnitVisPlanner.Plan(catalog, "conv2", 0, 6, FeatureVisBenchmark.ChannelOnly).Select(p => p.Item).ToList();
        var settings = new RenderSettings { Steps = 5 };

        var batcher = new RenderBatcher(model, catalog);
        var split = batcher.Render(items, settings, maxPictures: 2);
        var whole = FeatureVisRenderer.Render(model, items, settings);

        Assert.Equal(3, batcher.Optimisations);
        Assert.Equal(2, batcher.LargestBatch);
        for (int i = 0; i < items.Count; i++)
        {
            var difference = split[i].Pixels.Zip(whole[i].Pixels).Max(p => Math.Abs(p.First - p.Second));
            // Same seed, noise and transforms; only the convolutions' batch rounding differs (see DeterminismTests).
            Assert.True(difference < 2e-3, $"picture {i} changed by up to {difference} when rendered in smaller optimisations");
        }
    }

    [Fact]
    public void Capacity_follows_the_picture_footprint_on_the_cpu_and_free_memory_and_depth_on_a_gpu()
    {
        using var model = TestModels.RandomDemo();
        var catalog = LayerCatalog.Measure(model);
        long shallow = RenderCapacity.BytesPerPicture(model, catalog, ["conv1"], 28, 28);
        long deep = RenderCapacity.BytesPerPicture(model, catalog, ["conv3"], 28, 28);
        long deepLarger = RenderCapacity.BytesPerPicture(model, catalog, ["conv3"], 56, 56);
        Assert.True(shallow < deep, $"a deeper layer needs more memory per picture ({shallow} vs {deep})");
        Assert.True(deepLarger > 3 * deep, $"four times the area needs about four times the memory ({deep} vs {deepLarger})");

        // On the CPU a small model's whole unit (32 channels × 7 pictures) is one optimisation, while a
        // GoogLeNet-sized picture (36 MB by the estimate at 128 px, inception4a) gets the small batches that render fastest there.
        Assert.InRange(RenderCapacity.Pictures(deep, CPU, null), 32 * 7, RenderCapacity.CpuPictures);
        Assert.InRange(RenderCapacity.Pictures(36L << 20, CPU, null), 8, 32);
        Assert.Equal(1, RenderCapacity.Pictures(4L << 30, CPU, null));
        Assert.Equal(RenderCapacity.CpuPictures, RenderCapacity.Pictures(1, CPU, null));
        var gpu = new Device(TorchSharp.DeviceType.CUDA, 0);
        Assert.Equal(800, RenderCapacity.Pictures(1_000_000, gpu, (1_000_000_000, 2_000_000_000)));
        Assert.Equal(1, RenderCapacity.Pictures(1_000_000, gpu, (10, 2_000_000_000)));
        Assert.Equal(RenderCapacity.MaxPictures, RenderCapacity.Pictures(1, gpu, (1_000_000_000, 2_000_000_000)));
    }
}
