using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Tests.Models;
using SkiaSharp;
using static Atlas.Core.Tests.Data.ImageFolderDatasetTests;

namespace Atlas.Core.Tests.Data;

/// <summary>Decoded pixels kept on disk between passes (dataset.pixelCache), over small image folders with chunks of 4 images.</summary>
public class PixelCacheDatasetTests
{
    private static readonly ImageGeometry Geometry = new(16, 3, 16);

    /// <summary>Ten noisy pictures in two classes: chunks [0-3], [4-7], [8-9].</summary>
    private static void WriteTen(TempFolder images, string under = "")
    {
        for (int i = 0; i < 10; i++) Write(images, $"{under}{(i < 5 ? "ant" : "bee")}/{i:D2}.png", 20 + i, 18, SKColors.White, noise: true);
    }

    private static PixelCacheDataset Cached(TempFolder images, string cache) =>
        new(new ImageFolderDataset(images.Path, Geometry), cache, images.Path, Geometry, chunkImages: 4);

    [Fact]
    public void A_later_pass_reads_the_same_pixels_and_labels_without_decoding()
    {
        using var images = new TempFolder();
        using var cache = new TempFolder();
        WriteTen(images);
        using var plain = new ImageFolderDataset(images.Path, Geometry);
        var expected = plain.Read(0, 10);

        using (var first = Cached(images, cache.Path))
        {
            // Slices that cross chunk boundaries, in an order no chunk file dictates.
            var parts = new[] { first.Read(3, 3), first.Read(0, 3), first.Read(6, 4) };
            Assert.Equal(expected.Pixels, parts[1].Pixels.Concat(parts[0].Pixels).Concat(parts[2].Pixels));
            Assert.Equal(expected.Labels, parts[1].Labels.Concat(parts[0].Labels).Concat(parts[2].Labels));
            Assert.Equal(10, first.Served.Decoded); // each chunk decoded once
        }

        using var second = Cached(images, cache.Path);
        var again = second.Read(1, 9);
        Assert.Equal((0L, 9L), second.Served);
        Assert.Equal(expected.Pixels[Geometry.PixelsPerImage..], again.Pixels);
        Assert.Equal(expected.Labels[1..], again.Labels);
        Assert.Null(again.Skipped);
    }

    [Fact]
    public void Bytes_decoded_or_read_back_are_the_float_pixels_times_255_and_a_skipped_image_is_zeros()
    {
        using var images = new TempFolder();
        using var cache = new TempFolder();
        WriteTen(images);
        File.WriteAllBytes(Path.Combine(images.Path, "bee", "07.png"), [1, 2, 3]);
        using var plain = new ImageFolderDataset(images.Path, Geometry);
        var expected = plain.Read(0, 10);
        for (int pass = 0; pass < 2; pass++)
        {
            using var data = Cached(images, cache.Path);
            var bytes = new byte[10 * Geometry.PixelsPerImage];
            Array.Fill(bytes, (byte)0xAB); // a reused buffer holds another batch's pixels
            var slice = data.ReadBytes(0, 10, bytes);
            Assert.Equal(expected.Pixels, bytes.Select(b => b / 255f));
            Assert.Equal(expected.Labels, slice.Labels);
            Assert.Equal([7], Enumerable.Range(0, 10).Where(slice.IsSkipped));
            // The second pass reads chunks [0-3] and [8-9] back; [4-7] holds the unreadable image and is decoded again.
            Assert.Equal(pass == 0 ? (10L, 0L) : (4L, 6L), data.Served);
        }
    }

    [Fact]
    public void A_replaced_image_is_decoded_again_and_only_its_chunk()
    {
        using var images = new TempFolder();
        using var cache = new TempFolder();
        WriteTen(images);
        using (var first = Cached(images, cache.Path)) first.Read(0, 10);

        var replaced = Write(images, "ant/01.png", 30, 30, SKColors.Red);
        File.SetLastWriteTimeUtc(replaced, DateTime.UtcNow.AddMinutes(1)); // a new time even on a coarse clock
        using var second = Cached(images, cache.Path);
        var batch = second.Read(0, 10);
        Assert.Equal((4L, 6L), second.Served);
        int red = Geometry.PixelsPerImage; // image 1, channel 0
        Assert.Equal(1f, batch.Pixels[red]);
        Assert.Equal(0f, batch.Pixels[red + 256]);
    }

    [Fact]
    public void A_linked_image_whose_target_is_replaced_is_decoded_again()
    {
        using var pool = new TempFolder();
        var target = Write(pool, "shared.png", 20, 20, SKColors.White, noise: true);
        using var images = new TempFolder();
        WriteTen(images);
        File.Delete(Path.Combine(images.Path, "ant", "01.png"));
        File.CreateSymbolicLink(Path.Combine(images.Path, "ant", "01.png"), target); // data sets built by linking into a pool
        using (var first = Cached(images, pool.File("cache"))) first.Read(0, 10);

        Write(pool, "shared.png", 30, 30, SKColors.Red);
        File.SetLastWriteTimeUtc(target, DateTime.UtcNow.AddMinutes(1)); // a new time even on a coarse clock
        using var second = Cached(images, pool.File("cache"));
        var batch = second.Read(0, 10);
        Assert.Equal((4L, 6L), second.Served);
        Assert.Equal(1f, batch.Pixels[Geometry.PixelsPerImage]); // image 1, channel 0: red
    }

    [Fact]
    public void A_chunk_with_an_unreadable_image_is_not_kept_and_reports_it_on_every_pass()
    {
        using var images = new TempFolder();
        using var cache = new TempFolder();
        WriteTen(images);
        File.WriteAllBytes(Path.Combine(images.Path, "bee", "07.png"), [1, 2, 3]);
        for (int pass = 0; pass < 2; pass++)
        {
            using var data = Cached(images, cache.Path);
            var batch = data.Read(0, 10);
            Assert.Equal([7], Enumerable.Range(0, 10).Where(batch.IsSkipped));
            Assert.Equal(-1, batch.Labels[7]);
            Assert.Equal("07.png", Path.GetFileName(Assert.Single(data.SkippedImages).Path));
            Assert.Equal(pass == 0 ? (10L, 0L) : (4L, 6L), data.Served);
        }
    }

    [Fact]
    public void The_config_opens_image_folders_through_the_cache_and_refuses_it_for_other_kinds()
    {
        using var folder = new TempFolder();
        WriteTen(folder, "images/");
        var config = folder.File("atlas.json");
        File.WriteAllText(config, """
            { "name": "cached", "model": { "architecture": "resnet18", "checkpoint": "x.pth" },
              "dataset": { "kind": "image-folder", "path": "images", "pixelCache": "pixels" } }
            """);
        var dataset = AtlasConfigLoader.Load(config).Dataset;
        Assert.Equal(Path.Combine(folder.Path, "pixels"), dataset.PixelCache);
        using (var data = DatasetOpener.Open(dataset))
        {
            Assert.IsType<PixelCacheDataset>(data);
            data.Read(0, 10);
        }
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder.Path, "pixels"), "chunk-*.u8", SearchOption.AllDirectories));

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"image-folder\"", "\"idx\""));
        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(config));
        Assert.Equal($"{config}: dataset.pixelCache: only image-folder data sets are decoded (idx images are read as bytes already)", error.Message);
    }
}
