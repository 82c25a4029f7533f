using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Tests.Models;
using SkiaSharp;

namespace Atlas.Core.Tests.Data;

/// <summary>Small image folders written here with SkiaSharp (PNG and JPEG, odd sizes, broken files).</summary>
public class ImageFolderDatasetTests
{
    [Fact]
    public void Classes_are_sorted_subfolders_and_images_their_files_in_order()
    {
        using var folder = new TempFolder();
        Write(folder, "zebra/b.png", 20, 20, SKColors.Black);
        Write(folder, "zebra/a.jpg", 20, 20, SKColors.Black);
        Write(folder, "Apple/x.PNG", 20, 20, SKColors.Black);
        Write(folder, "apple/deeper/y.png", 20, 20, SKColors.Black);
        Write(folder, ".hidden/z.png", 20, 20, SKColors.Black);
        Write(folder, "zebra/.cache/thumb.png", 20, 20, SKColors.Black); // a tool's leftovers inside a class folder
        Write(folder, "apple/.z.png", 20, 20, SKColors.Black);
        File.WriteAllText(Path.Combine(folder.Path, "zebra", "notes.txt"), "not an image");

        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));
        // Ordinal order, like Python's sorted(): capitals first.
        Assert.Equal(["Apple", "apple", "zebra"], data.ClassNames);
        Assert.Equal(4, data.Count);
        Assert.Equal(["x.PNG", "y.png", "a.jpg", "b.png"], Enumerable.Range(0, 4).Select(i => Path.GetFileName(data.FileOf(i))));
        Assert.Equal([0, 1, 2, 2], data.Read(0, 4).Labels);
        using var limited = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16), limit: 2);
        Assert.Equal(2, limited.Count);
    }

    [Fact]
    public void A_sample_spreads_over_every_class_where_a_limit_takes_the_first()
    {
        using var folder = new TempFolder();
        foreach (var label in new[] { "ant", "bee", "cat" })
            for (int i = 0; i < 4; i++) Write(folder, $"{label}/{i}.png", 20, 20, SKColors.Black);

        using var sampled = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16), sample: 6);
        using var limited = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16), limit: 6);
        using var all = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16), sample: 50);

        Assert.Equal(6, sampled.Count);
        Assert.Equal(["ant/0.png", "ant/2.png", "bee/0.png", "bee/2.png", "cat/0.png", "cat/2.png"],
            Enumerable.Range(0, 6).Select(i => Path.GetRelativePath(folder.Path, sampled.FileOf(i))));
        Assert.Equal([0, 0, 1, 1, 2, 2], sampled.Read(0, 6).Labels);
        Assert.Equal([0, 0, 0, 0, 1, 1], limited.Read(0, 6).Labels);
        Assert.Equal(12, all.Count);
    }

    [Theory]
    [InlineData("\"kind\": \"image-folder\", \"path\": \"images\", \"sample\": 0", "dataset.sample: must be positive")]
    [InlineData("\"kind\": \"image-folder\", \"path\": \"images\", \"sample\": 5, \"limit\": 5", "dataset.sample: cannot be combined with dataset.limit (choose one)")]
    [InlineData("\"kind\": \"idx\", \"path\": \"idx\", \"sample\": 5", "dataset.sample: only image-folder data sets are sampled (their files are listed class by class; use dataset.limit for IDX files)")]
    public void A_sample_is_checked_with_the_file_and_field_named(string dataset, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("sample.json");
        File.WriteAllText(path, $$"""{ "name": "s", "model": { "architecture": "resnet18", "checkpoint": "x.pth" }, "dataset": { {{dataset}} } }""");
        var error = Assert.Throws<AtlasInputException>(() => AtlasConfigLoader.Load(path));
        Assert.Equal($"{path}: {expected}", error.Message);
    }

    [Fact]
    public void A_folder_without_class_subfolders_is_refused_saying_where_loose_images_can_go()
    {
        using var folder = new TempFolder();
        var empty = Assert.Throws<AtlasInputException>(() => new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16)));
        Assert.Equal($"dataset.path: '{folder.Path}' has no class subfolders (expected one folder of images per class, like torchvision's ImageFolder)", empty.Message);

        Write(folder, "a.png", 20, 20, SKColors.Black);
        Write(folder, "b.JPG", 20, 20, SKColors.Black);
        File.WriteAllText(folder.File("notes.txt"), "not an image");
        var loose = Assert.Throws<AtlasInputException>(() => new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16)));
        Assert.StartsWith($"dataset.path: '{folder.Path}' holds 2 images but no class subfolders", loose.Message);
        Assert.EndsWith($"images without classes can go in one subfolder, such as '{Path.Combine(folder.Path, "all")}'", loose.Message);
    }

    [Fact]
    public void Images_beside_the_class_folders_are_left_out_as_torchvision_leaves_them_and_a_warning_says_so()
    {
        using var folder = new TempFolder();
        Write(folder, "cats/1.png", 20, 20, SKColors.Black);
        var dataset = new DatasetConfig { Kind = "image-folder", Path = folder.Path };
        Assert.Null(ImageFolderListing.LooseImagesWarning(dataset));

        Write(folder, "stray.png", 20, 20, SKColors.White);
        Write(folder, "other.jpeg", 20, 20, SKColors.White);
        File.WriteAllText(folder.File("README.txt"), "not an image");
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));

        Assert.Equal(1, data.Count);
        Assert.Equal($"dataset.path: 2 image(s) directly in '{folder.Path}' are in no class folder, so they are not in the data set (only the class subfolders' images are, as in torchvision's ImageFolder)",
            ImageFolderListing.LooseImagesWarning(dataset));
        Assert.Null(ImageFolderListing.LooseImagesWarning(dataset with { Kind = "fashion-mnist" }));
    }

    [Fact]
    public void Linked_folders_are_followed_as_torchvision_does_and_a_link_back_up_is_refused_naming_it()
    {
        using var elsewhere = new TempFolder();
        Write(elsewhere, "x.png", 20, 20, SKColors.Black);
        using var folder = new TempFolder();
        Write(folder, "cat/a.png", 20, 20, SKColors.Black);
        Directory.CreateSymbolicLink(Path.Combine(folder.Path, "cat", "more"), elsewhere.Path);
        var linked = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));
        Assert.Equal(["a.png", "x.png"], Enumerable.Range(0, linked.Count).Select(i => Path.GetFileName(linked.FileOf(i))));

        // Up to the class folder, to the data set's folder and above it, relative or absolute: each loops.
        foreach (var (name, target) in new[] { ("deeper/up", "../.."), ("back", ""), ("root", "/") })
        {
            using var looped = new TempFolder();
            Write(looped, "cat/a.png", 20, 20, SKColors.Black);
            Write(looped, "cat/deeper/b.png", 20, 20, SKColors.Black);
            var link = Path.Combine(looped.Path, "cat", name);
            Directory.CreateSymbolicLink(link, target == "" ? looped.Path : target);
            var error = Assert.Throws<AtlasInputException>(() => new ImageFolderDataset(looped.Path, new ImageGeometry(16, 3, 16))).Message;
            Assert.StartsWith($"dataset.path: '{link}' links back to '", error);
            Assert.EndsWith("a folder it lies in, so its pictures would be listed without end; remove the link", error);
        }
    }

    [Fact]
    public void The_file_list_is_reused_while_the_folders_are_unchanged_and_read_again_after_any_change()
    {
        using var folder = new TempFolder();
        Write(folder, "cat/a.png", 20, 20, SKColors.Black);
        Write(folder, "dog/deeper/b.png", 20, 20, SKColors.Black);
        var first = ImageFolderListing.Of(folder.Path);
        Assert.Same(first, ImageFolderListing.Of(folder.Path));
        Assert.Same(first, ImageFolderListing.Of(folder.Path + "/")); // the same folder, however it is written

        // An image added to a class folder, to a folder below one, a new class, a removed image: each is seen.
        Write(folder, "cat/c.png", 20, 20, SKColors.Black);
        Assert.Equal(3, new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16)).Count);
        Write(folder, "dog/deeper/d.png", 20, 20, SKColors.Black);
        Assert.Equal(4, new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16)).Count);
        Write(folder, "eel/e.png", 20, 20, SKColors.Black);
        var grown = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));
        Assert.Equal(["cat", "dog", "eel"], grown.ClassNames);
        Assert.Equal(5, grown.Count);
        File.Delete(Path.Combine(folder.Path, "cat", "a.png"));
        var shrunk = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));
        Assert.Equal(["c.png", "b.png", "d.png", "e.png"], Enumerable.Range(0, shrunk.Count).Select(i => Path.GetFileName(shrunk.FileOf(i))));

        var latest = ImageFolderListing.Of(folder.Path);
        Assert.NotSame(first, latest);
        Assert.Same(latest, ImageFolderListing.Of(folder.Path));
    }

    [Fact]
    public void Images_are_resized_on_the_shorter_side_then_center_cropped()
    {
        using var folder = new TempFolder();
        // 48×24: left third red, middle third green, right third blue.
        using (var bitmap = new SKBitmap(48, 24))
        {
            for (int x = 0; x < 48; x++)
                for (int y = 0; y < 24; y++)
                    bitmap.SetPixel(x, y, x < 16 ? SKColors.Red : x < 32 ? SKColors.Lime : SKColors.Blue);
            Save(bitmap, Path.Combine(folder.Path, "c", "stripes.png"));
        }
        // Shorter side 24 → 12 (so 24×12), crop 12×12 from x = 6: columns 6..17 of the half-size image,
        // i.e. original 12..35: the red/green and green/blue borders sit at 8 and 16 in the half-size image.
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(12, 3, 12));
        var pixels = data.Read(0, 1).Pixels;
        float At(int channel, int y, int x) => pixels[channel * 144 + y * 12 + x];
        Assert.Equal(1f, At(0, 6, 0), 2);   // x = 6 of 24: red
        Assert.Equal(1f, At(1, 6, 6), 2);   // x = 12: green
        Assert.Equal(0f, At(0, 6, 6), 1e-2);
        Assert.Equal(1f, At(2, 6, 11), 2);  // x = 17: blue
        Assert.Empty(data.SkippedImages);
    }

    [Fact]
    public void Colour_is_converted_to_the_models_channel_count()
    {
        using var folder = new TempFolder();
        Write(folder, "c/orange.png", 16, 16, new SKColor(255, 128, 0));
        using var rgb = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));
        var colour = rgb.Read(0, 1).Pixels;
        Assert.Equal(768, colour.Length);
        Assert.Equal([1f, 128 / 255f, 0f], new[] { colour[0], colour[256], colour[512] });

        using var grey = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 1, 16));
        var luma = grey.Read(0, 1).Pixels;
        Assert.Equal(256, luma.Length);
        // PIL's "L": (R·19595 + G·38470 + B·7471 + 2^15) >> 16 = 151 for (255, 128, 0).
        Assert.Equal(151 / 255f, luma[100]);
    }

    [Fact]
    public void Corrupt_and_truncated_images_are_skipped_counted_and_named_never_fatal()
    {
        using var folder = new TempFolder();
        Write(folder, "a/good1.jpg", 40, 30, SKColors.White);
        File.WriteAllBytes(Path.Combine(folder.Path, "a", "garbage.jpg"), Enumerable.Range(0, 500).Select(i => (byte)(i * 31)).ToArray());
        Write(folder, "b/good2.png", 30, 40, SKColors.White);
        var whole = File.ReadAllBytes(Write(folder, "b/whole.png", 64, 64, SKColors.Gray, noise: true));
        File.WriteAllBytes(Path.Combine(folder.Path, "b", "truncated.png"), whole[..(whole.Length / 2)]);
        File.WriteAllBytes(Path.Combine(folder.Path, "b", "zero.png"), []);

        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 18));
        Assert.Equal(6, data.Count);
        var batch = data.Read(0, data.Count);
        var names = Enumerable.Range(0, data.Count).Select(i => Path.GetFileName(data.FileOf(i))).ToList();
        Assert.Equal(["garbage.jpg", "good1.jpg", "good2.png", "truncated.png", "whole.png", "zero.png"], names);
        Assert.Equal([true, false, false, true, false, true], Enumerable.Range(0, data.Count).Select(batch.IsSkipped));
        Assert.Equal([-1, 0, 1, -1, 1, -1], batch.Labels);
        Assert.True(batch.Pixels.AsSpan(0, 768).IndexOfAnyExcept(0f) < 0, "a skipped image's pixels are zeros");
        Assert.Equal(["garbage.jpg", "truncated.png", "zero.png"], data.SkippedImages.Select(s => Path.GetFileName(s.Path)));
        Assert.All(data.SkippedImages, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));

        // Reading a slice again counts each file once.
        data.Read(3, 1);
        Assert.Equal(3, data.SkippedImages.Count);
    }

    [Fact]
    public async Task A_pipe_or_device_named_like_a_picture_is_skipped_without_blocking_the_read()
    {
        using var folder = new TempFolder();
        Write(folder, "a/good.png", 20, 20, SKColors.White);
        var pipe = Path.Combine(folder.Path, "a", "pipe.png");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe])) await mkfifo.WaitForExitAsync();
        File.CreateSymbolicLink(Path.Combine(folder.Path, "a", "zeros.png"), "/dev/zero");

        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));
        Assert.Equal(3, data.Count);
        // Opening the pipe would wait for a writer forever: the guard turns that hang into a failure.
        var batch = await Task.Run(() => data.Read(0, data.Count)).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal([false, true, true], Enumerable.Range(0, data.Count).Select(batch.IsSkipped));
        Assert.Equal(["pipe.png", "zeros.png"], data.SkippedImages.Select(s => Path.GetFileName(s.Path)));
        Assert.All(data.SkippedImages, s => Assert.Contains("not a regular file", s.Reason));
    }

    [Fact]
    public void Bytes_are_the_float_pixels_times_255_with_zeros_for_skipped_images_in_a_reused_buffer()
    {
        using var folder = new TempFolder();
        for (int i = 0; i < 7; i++) Write(folder, $"c{i % 2}/{i}.png", 30 + i, 20, SKColors.White, noise: true);
        File.WriteAllBytes(Path.Combine(folder.Path, "c1", "3.png"), [9, 9, 9]);
        using var data = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 18));
        var floats = data.Read(1, 6);
        var bytes = new byte[6 * 768 + 5];
        Array.Fill(bytes, (byte)0xCD); // what the previous batch left
        var slice = data.ReadBytes(1, 6, bytes);
        Assert.Equal(floats.Pixels, bytes.Take(6 * 768).Select(b => b / 255f));
        Assert.Equal(floats.Labels, slice.Labels);
        Assert.Equal(Enumerable.Range(0, 6).Where(floats.IsSkipped), Enumerable.Range(0, 6).Where(slice.IsSkipped));
        Assert.Single(Enumerable.Range(0, 6), slice.IsSkipped);
        Assert.All(bytes[(6 * 768)..], b => Assert.Equal(0xCD, b)); // nothing written past the slice
        Assert.Throws<ArgumentOutOfRangeException>(() => data.ReadBytes(2, 6, bytes)); // 2 + 6 > 7 images
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Read(0, -1));
    }

    [Fact]
    public void Config_kind_image_folder_opens_at_the_models_input_size()
    {
        using var folder = new TempFolder();
        Write(folder, "images/cat/1.png", 300, 200, SKColors.Orange);
        Write(folder, "images/dog/2.jpg", 200, 300, SKColors.Brown);
        var config = Path.Combine(folder.Path, "atlas.json");
        File.WriteAllText(config, """
            {
              "name": "folder-test",
              "model": { "architecture": "resnet18", "checkpoint": "missing.pth" },
              "dataset": { "kind": "image-folder", "path": "images" }
            }
            """);
        var loaded = AtlasConfigLoader.Load(config);
        Assert.Equal(224, loaded.Dataset.ImageSize);
        Assert.Equal(3, loaded.Dataset.Channels);
        using var data = DatasetOpener.Open(loaded.Dataset);
        Assert.Equal((2, 3, 224, 224), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal(["cat", "dog"], data.ClassNames);
        Assert.Equal(2 * 3 * 224 * 224, data.Read(0, 2).Pixels.Length);

        File.WriteAllText(config, File.ReadAllText(config).Replace("\"checkpoint\": \"missing.pth\"", "\"checkpoint\": \"missing.pth\", \"inputSize\": 128"));
        Assert.Equal(128, AtlasConfigLoader.Load(config).Dataset.ImageSize);

        Directory.Delete(Path.Combine(folder.Path, "images"), recursive: true);
        var error = Assert.Throws<AtlasInputException>(() => DatasetOpener.Open(AtlasConfigLoader.Load(config).Dataset));
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void A_data_set_none_of_whose_sampled_images_can_be_read_is_refused_and_one_readable_image_is_enough()
    {
        using var folder = new TempFolder();
        for (int i = 0; i < 40; i++)
        {
            Directory.CreateDirectory(Path.Combine(folder.Path, $"c{i % 2}"));
            File.WriteAllText(Path.Combine(folder.Path, $"c{i % 2}", $"{i:D2}.jpg"), "an HTML error page saved as a picture");
        }
        using (var junk = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16)))
        {
            var error = Assert.Throws<AtlasInputException>(() => DatasetReadability.EnsureSomeReadable(junk));
            Assert.StartsWith($"dataset.path: none of 16 images taken across the data set could be read; the first, {Path.Combine(folder.Path, "c0", "00.jpg")}: ", error.Message);
        }
        // The sample spreads over the set: one good picture at index 35 (c1/31.jpg, after c0's 20 files) is found.
        File.Delete(Path.Combine(folder.Path, "c1", "31.jpg"));
        Write(folder, "c1/31.jpg", 20, 20, SKColors.Red);
        using var mostlyJunk = new ImageFolderDataset(folder.Path, new ImageGeometry(16, 3, 16));
        DatasetReadability.EnsureSomeReadable(mostlyJunk);
    }

    internal static string Write(TempFolder folder, string relative, int width, int height, SKColor colour, bool noise = false)
    {
        var path = Path.Combine(folder.Path, relative);
        using var bitmap = new SKBitmap(width, height);
        var random = new Random(1);
        for (int x = 0; x < width; x++)
            for (int y = 0; y < height; y++)
                bitmap.SetPixel(x, y, noise ? new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)) : colour);
        Save(bitmap, path);
        return path;
    }

    private static void Save(SKBitmap bitmap, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var format = Path.GetExtension(path).ToLowerInvariant() is ".jpg" or ".jpeg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(format, 95);
        File.WriteAllBytes(path, encoded.ToArray());
    }
}
