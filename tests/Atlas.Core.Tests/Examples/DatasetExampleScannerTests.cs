using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Core.Tests.Models;
using SkiaSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Examples;

[Collection(GlobalTorchRandomCollection.Name)]
public class DatasetExampleScannerTests
{
    [Fact]
    public void Unreadable_images_never_enter_any_top_k_list()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "shirts"));
        var random = new Random(5);
        for (int i = 0; i < 3; i++)
        {
            using var bitmap = new SKBitmap(28, 28);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder.Path, "shirts", $"good{i}.png"), png.ToArray());
        }
        File.WriteAllBytes(Path.Combine(folder.Path, "shirts", "broken.png"), [1, 2, 3, 4]);

        TorchRuntime.Initialize();
        random_seed();
        using var model = new DemoCnnModel(new DemoCnn(), ["shirt"]);
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(28, 1, 28));
        var catalog = LayerCatalog.Measure(model);
        // k as large as the set: without the skip, the blank stand-in of the broken file would be listed.
        var tables = DatasetExampleScanner.Scan(model, data, catalog, 0, data.Count, k: data.Count, batchSize: 2);

        int broken = Enumerable.Range(0, data.Count).Single(i => Path.GetFileName(data.FileOf(i)) == "broken.png");
        foreach (var (layer, table) in tables)
        {
            for (int unit = 0; unit < table.UnitCount; unit++)
            {
                Assert.DoesNotContain(table.For(unit), hit => hit.Image == broken);
                Assert.Equal(3, table.For(unit).Count);
            }
        }
        Assert.Single(data.SkippedImages);
    }

    [Fact]
    public void Ties_go_to_the_lower_image_index_whatever_the_batch_size()
    {
        // Identical images tie on every unit; the table keeps the first ones, and the per-batch
        // reduction on the device must keep the same ones. Batches are all full: a convolution over a
        // batch of another size may round differently, and then the images no longer tie.
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "same"));
        using (var bitmap = new SKBitmap(28, 28))
        {
            bitmap.Erase(new SKColor(120, 60, 200));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            for (int i = 0; i < 6; i++) File.WriteAllBytes(Path.Combine(folder.Path, "same", $"copy{i}.png"), png.ToArray());
        }
        TorchRuntime.Initialize();
        random_seed();
        using var model = new DemoCnnModel(new DemoCnn(), ["same"]);
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(28, 1, 28));
        var catalog = LayerCatalog.Measure(model);
        foreach (int batchSize in new[] { 1, 2, 3, 6 })
        {
            var tables = DatasetExampleScanner.Scan(model, data, catalog, 0, data.Count, k: 3, batchSize: batchSize);
            foreach (var (layer, table) in tables)
            {
                for (int unit = 0; unit < table.UnitCount; unit++)
                    Assert.Equal(new[] { 0, 1, 2 }, table.For(unit).Select(h => h.Image));
            }
        }
    }

    [Fact]
    public void A_channels_last_network_finds_the_same_images_at_the_same_positions()
    {
        using var folder = NoiseImages(12);
        TorchRuntime.Initialize();
        random_seed();
        using var contiguous = new DemoCnnModel(new DemoCnn(), ["noise"]);
        random_seed();
        using var channelsLast = new DemoCnnModel(new DemoCnn(), ["noise"]);
        ChannelsLast.Apply(channelsLast.Network);
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(28, 1, 28));
        var catalog = LayerCatalog.Measure(contiguous);

        var expected = DatasetExampleScanner.Scan(contiguous, data, catalog, 0, data.Count, k: 4, batchSize: 5);
        var actual = DatasetExampleScanner.Scan(channelsLast, data, catalog, 0, data.Count, k: 4, batchSize: 5);
        AssertSameExamples(expected, actual, tolerance: 1e-4);
    }

    [Fact]
    public void Pixels_sent_as_bytes_give_exactly_the_examples_of_pixels_sent_as_floats()
    {
        using var folder = NoiseImages(12);
        TorchRuntime.Initialize();
        random_seed();
        using var model = new DemoCnnModel(new DemoCnn(), ["noise"]);
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(28, 1, 28));
        var catalog = LayerCatalog.Measure(model);

        var floats = DatasetExampleScanner.Scan(model, data, catalog, 0, data.Count, k: 4, batchSize: 5, packBytes: false);
        var bytes = DatasetExampleScanner.Scan(model, data, catalog, 0, data.Count, k: 4, batchSize: 5, packBytes: true);
        AssertSameExamples(floats, bytes, tolerance: 0); // the same pixels, bit for bit, so the same values
    }

    // bfloat16 keeps 8 bits of mantissa, float16 11: images whose values nearly tie may swap, fewer in float16.
    [Theory]
    [InlineData(ScalarType.BFloat16, 0.85)]
    [InlineData(ScalarType.Float16, 0.9)]
    public void A_reduced_precision_pass_lists_mostly_the_same_images_as_a_float32_pass(ScalarType type, double leastShared)
    {
        using var folder = NoiseImages(24);
        TorchRuntime.Initialize();
        random_seed();
        using var exact = new DemoCnnModel(new DemoCnn(), ["noise"]);
        random_seed();
        using var reduced = new DemoCnnModel(new DemoCnn(), ["noise"]);
        reduced.ConvertTo(type);
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(28, 1, 28));
        var catalog = LayerCatalog.Measure(exact);

        var agreement = TopKAgreement.Compare(
            DatasetExampleScanner.Scan(exact, data, catalog, 0, data.Count, k: 4, batchSize: 8),
            DatasetExampleScanner.Scan(reduced, data, catalog, 0, data.Count, k: 4, batchSize: 8));

        Assert.Equal(catalog.Sum(l => l.Channels), agreement.Units);
        Assert.True(agreement.MeanShared > leastShared, $"only {agreement.MeanShared:P1} of each unit's images shared");
    }

    [Fact]
    public void A_float16_overflow_stops_the_pass_naming_the_layer_where_float32_goes_through()
    {
        using var folder = NoiseImages(8);
        TorchRuntime.Initialize();
        DemoCnnModel Scaled(ScalarType type)
        {
            random_seed();
            var model = new DemoCnnModel(new DemoCnn(), ["noise"]);
            // Each layer multiplies by about a thousand more: conv1 stays in float16's range, the layers after it do not.
            using (no_grad())
                foreach (var parameter in model.Network.parameters()) parameter.mul_(1000);
            if (type != ScalarType.Float32) model.ConvertTo(type);
            return model;
        }
        using var exact = Scaled(ScalarType.Float32);
        using var reduced = Scaled(ScalarType.Float16);
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(28, 1, 28));
        var catalog = LayerCatalog.Measure(exact);

        var tables = DatasetExampleScanner.Scan(exact, data, catalog, 0, data.Count, k: 2, batchSize: 4);
        Assert.All(tables.Values.SelectMany(t => Enumerable.Range(0, t.UnitCount).SelectMany(t.For)), hit => Assert.True(float.IsFinite(hit.Value)));
        Assert.Contains(tables["conv3"].For(0), hit => hit.Value > 65_504);

        var overflow = Assert.Throws<Float16OverflowException>(() => DatasetExampleScanner.Scan(reduced, data, catalog, 0, data.Count, k: 2, batchSize: 4));
        Assert.Contains(overflow.Layer, new[] { "conv2", "conv3", "logits" });
        Assert.Contains("examples.precision: float16 overflowed in layer", overflow.Message);
        Assert.Contains("images 0–3", overflow.Message);
    }

    private static void AssertSameExamples(IReadOnlyDictionary<string, TopKTable> expected, IReadOnlyDictionary<string, TopKTable> actual, double tolerance)
    {
        foreach (var (layer, table) in expected)
        {
            for (int unit = 0; unit < table.UnitCount; unit++)
            {
                var want = table.For(unit);
                var got = actual[layer].For(unit);
                Assert.Equal(want.Select(h => (h.Image, h.Y, h.X)), got.Select(h => (h.Image, h.Y, h.X)));
                Assert.All(want.Zip(got), p => Assert.Equal(p.First.Value, p.Second.Value, tolerance));
            }
        }
    }

    /// <summary>Colour noise PNGs in one class folder (read as grayscale 28×28 by the tests).</summary>
    private static TempFolder NoiseImages(int count)
    {
        var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "noise"));
        var pixels = new Random(9);
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(28, 28);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)pixels.Next(256), (byte)pixels.Next(256), (byte)pixels.Next(256)));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder.Path, "noise", $"n{i:D2}.png"), png.ToArray());
        }
        return folder;
    }

    private static void random_seed() => random.manual_seed(17);
}
