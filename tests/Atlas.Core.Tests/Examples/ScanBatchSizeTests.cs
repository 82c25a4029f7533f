using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using Atlas.Core.Tests.Models;
using Atlas.Core.Tests.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Examples;

/// <summary>How the dataset pass sizes its batches when examples.batchSize is not set.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class ScanBatchSizeTests
{
    private static readonly Device Gpu = new(TorchSharp.DeviceType.CUDA, 0);

    [Fact]
    public void A_configured_size_is_used_as_it_is()
    {
        using var model = TestModels.RandomDemo();
        var catalog = LayerCatalog.Measure(model);
        Assert.Equal(7, ScanBatchSize.For(7, model, catalog, catalog.Select(l => l.Name)));
    }

    [Fact]
    public void On_the_cpu_a_small_network_gets_the_cap_and_a_224_pixel_one_what_fits_the_budget()
    {
        using var demo = TestModels.RandomDemo();
        var demoCatalog = LayerCatalog.Measure(demo);
        Assert.Equal(ScanBatchSize.CpuImages, ScanBatchSize.For(null, demo, demoCatalog, demoCatalog.Select(l => l.Name)));

        TorchRuntime.Initialize();
        var zoo = ModelZoo.Get("googlenet");
        using var googlenet = zoo.WrapNetwork(zoo.Create(new ZooBuildOptions(zoo.DefaultClasses, TransformInput: false)), zoo.InputFor(224), []);
        var catalog = LayerCatalog.Measure(googlenet);
        var all = catalog.Select(l => l.Name).ToList();
        long bytes = ScanBatchSize.BytesPerImage(googlenet, catalog, all);
        int images = ScanBatchSize.For(null, googlenet, catalog, all);
        Assert.InRange(images, 2, ScanBatchSize.CpuImages - 1);
        Assert.Equal(ScanBatchSize.CpuBudgetBytes / bytes, images);
        // Reading only the first layers needs less memory per image, so more images fit.
        Assert.True(ScanBatchSize.For(null, googlenet, catalog, ["conv1"]) > images);
    }

    [Fact]
    public void A_float16_network_needs_half_the_memory_per_image()
    {
        using var model = TestModels.RandomDemo();
        var catalog = LayerCatalog.Measure(model);
        var layers = catalog.Select(l => l.Name).ToList();
        long float32 = ScanBatchSize.BytesPerImage(model, catalog, layers);
        ((IAtlasModel)model).ConvertTo(ScalarType.Float16);
        Assert.InRange(ScanBatchSize.BytesPerImage(model, catalog, layers), float32 / 2 - 1, float32 / 2 + 1);
    }

    [Fact]
    public void On_a_gpu_it_follows_free_memory_up_to_the_cap()
    {
        const long perImage = 10_000_000;
        long free = 10_000_000_000;
        Assert.Equal((int)(free * ScanBatchSize.UsableShare / perImage), ScanBatchSize.Images(perImage, Gpu, (free, 2 * free)));
        Assert.Equal(ScanBatchSize.GpuImages, ScanBatchSize.Images(perImage, Gpu, (1000 * free, 2000 * free)));
        Assert.Equal(1, ScanBatchSize.Images(perImage, Gpu, (10, 2 * free)));
        // Without a memory reading (no CUDA runtime answered) it falls back to the CPU's budget.
        Assert.Equal((int)(ScanBatchSize.CpuBudgetBytes / perImage), ScanBatchSize.Images(perImage, Gpu, null));
    }
}
