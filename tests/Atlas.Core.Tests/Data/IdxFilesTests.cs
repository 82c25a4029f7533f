using System.IO.Compression;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Tests.Models;

namespace Atlas.Core.Tests.Data;

/// <summary>MNIST-style IDX files under their published names, plain and gzipped, resized for other models, and how their classes are named.</summary>
public class IdxFilesTests
{
    private static (List<byte[]> Images, List<byte> Labels) Digits(int count) =>
        (Enumerable.Range(0, count).Select(i => Enumerable.Range(0, 28 * 28).Select(p => (byte)((p + 17 * i) % 256)).ToArray()).ToList(),
         Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToList());

    [Fact]
    public void Gzipped_mnist_names_are_found_inflated_once_beside_the_gz_and_read_like_plain_files()
    {
        using var folder = new TempFolder();
        var (images, labels) = Digits(5);
        var plainImages = folder.File("plain-images");
        var plainLabels = folder.File("plain-labels");
        IdxDataset.Write(plainImages, plainLabels, 28, 28, images, labels);
        Gzip(plainImages, folder.File("t10k-images-idx3-ubyte.gz"));
        Gzip(plainLabels, folder.File("t10k-labels-idx1-ubyte.gz"));
        File.Delete(plainImages);
        File.Delete(plainLabels);

        var config = new DatasetConfig { Kind = "idx", Path = folder.Path, Split = "test" };
        using (var data = DatasetOpener.Open(config))
        {
            Assert.Equal((5, 1, 28, 28), (data.Count, data.Channels, data.Height, data.Width));
            var batch = data.Read(2, 3);
            Assert.Equal([2, 3, 4], batch.Labels);
            Assert.Equal(images[3][100] / 255f, batch.Pixels[28 * 28 + 100]);
            // A pass's batches take the file's bytes as they are.
            var bytes = new byte[3 * 28 * 28];
            var slice = ((IByteImageDataset)data).ReadBytes(2, 3, bytes);
            Assert.Equal(images[2].Concat(images[3]).Concat(images[4]), bytes);
            Assert.Equal([2, 3, 4], slice.Labels);
            Assert.Equal(batch.Pixels, bytes.Select(b => b / 255f));
        }
        var inflated = folder.File("t10k-images-idx3-ubyte");
        Assert.True(File.Exists(inflated));
        var written = File.GetLastWriteTimeUtc(inflated);
        using (DatasetOpener.Open(config)) { }
        Assert.Equal(written, File.GetLastWriteTimeUtc(inflated));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.partial"));
    }

    [Fact]
    public void A_corrupt_gz_or_a_missing_split_is_one_line_naming_the_file()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("train-images-idx3-ubyte.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]);
        var error = Assert.Throws<AtlasInputException>(() => DatasetOpener.Open(new DatasetConfig { Kind = "idx", Path = folder.Path, Split = "train" }));
        Assert.Contains("train-images-idx3-ubyte.gz", error.Message);
        Assert.False(File.Exists(folder.File("train-images-idx3-ubyte")));

        var missing = Assert.Throws<AtlasInputException>(() => DatasetOpener.Open(new DatasetConfig { Kind = "idx", Path = folder.Path, Split = "test" }));
        Assert.Contains("no test images", missing.Message);
    }

    [Theory]
    [InlineData(0, 28, 28, "holds no images (its header says 0)")]
    [InlineData(3, 0, 0, "its images are 0×0, which is no pixels")]
    public void An_idx_file_of_no_images_or_no_pixels_is_bad_input_naming_it(int count, int height, int width, string expected)
    {
        using var folder = new TempFolder();
        var images = Enumerable.Range(0, count).Select(_ => new byte[height * width]).ToList();
        IdxDataset.Write(folder.File("test-images-idx3-ubyte"), folder.File("test-labels-idx1-ubyte"), height, width, images, [.. Enumerable.Repeat((byte)1, count)]);
        var error = Assert.Throws<AtlasInputException>(() => DatasetOpener.Open(new DatasetConfig { Kind = "idx", Path = folder.Path }));
        Assert.Equal($"{folder.File("test-images-idx3-ubyte")}: {expected}", error.Message);
    }

    [Fact]
    public void Idx_images_are_conformed_to_a_colour_model_geometry()
    {
        using var folder = new TempFolder();
        var (images, labels) = Digits(3);
        IdxDataset.Write(folder.File("test-images-idx3-ubyte"), folder.File("test-labels-idx1-ubyte"), 28, 28, images, labels);
        using var native = DatasetOpener.Open(new DatasetConfig { Kind = "idx", Path = folder.Path, ImageSize = 28, Channels = 1 });
        Assert.IsType<IdxDataset>(native);

        using var data = DatasetOpener.Open(new DatasetConfig { Kind = "idx", Path = folder.Path, ImageSize = 56, Channels = 3, ResizeShorterSide = 56 });
        Assert.Equal((3, 3, 56, 56), (data.Count, data.Channels, data.Height, data.Width));
        var batch = data.Read(1, 2);
        Assert.Equal([1, 2], batch.Labels);
        Assert.Equal(2 * 3 * 56 * 56, batch.Pixels.Length);
        // Grey in, the same value in all three channels out.
        int plane = 56 * 56;
        for (int p = 0; p < plane; p += 97)
        {
            Assert.Equal(batch.Pixels[p], batch.Pixels[plane + p]);
            Assert.Equal(batch.Pixels[p], batch.Pixels[2 * plane + p]);
        }
    }

    [Fact]
    public void Classes_are_named_by_classes_txt_else_by_their_label_numbers_up_to_the_largest_in_the_labels_file()
    {
        using var folder = new TempFolder();
        var images = Enumerable.Range(0, 12).Select(_ => new byte[28 * 28]).ToList();
        // The largest label comes last, past the limit below: the names cover every label in the file, not only the images read.
        byte[] labels = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 6];
        IdxDataset.Write(folder.File("test-images-idx3-ubyte"), folder.File("test-labels-idx1-ubyte"), 28, 28, images, labels);
        var config = new DatasetConfig { Kind = "idx", Path = folder.Path, Limit = 4 };

        // MNIST as published has no classes.txt: its labels are the digits, so their numbers name them (and the
        // model's accuracy can be measured against as many outputs).
        using (var numbered = DatasetOpener.Open(config)) Assert.Equal(["0", "1", "2", "3", "4", "5", "6"], numbered.ClassNames);

        File.WriteAllLines(folder.File("classes.txt"), ["zero", "one", "two", "three", "four", "five", "six", ""]);
        using (var named = DatasetOpener.Open(config)) Assert.Equal(["zero", "one", "two", "three", "four", "five", "six"], named.ClassNames);

        // A classes.txt with no name in it names nothing.
        File.WriteAllLines(folder.File("classes.txt"), ["", ""]);
        using (var blank = DatasetOpener.Open(config)) Assert.Equal(7, blank.ClassNames.Count);

        // Without labels there is nothing to name.
        File.Delete(folder.File("classes.txt"));
        File.Delete(folder.File("test-labels-idx1-ubyte"));
        using var unlabelled = DatasetOpener.Open(config);
        Assert.Empty(unlabelled.ClassNames);
        Assert.All(unlabelled.Read(0, 4).Labels, l => Assert.Equal(-1, l));
    }

    [Fact]
    public void A_truncated_labels_file_is_bad_input_naming_it()
    {
        using var folder = new TempFolder();
        var labels = folder.File("test-labels-idx1-ubyte");
        IdxDataset.Write(folder.File("test-images-idx3-ubyte"), labels, 28, 28, [new byte[28 * 28], new byte[28 * 28]], [1, 2]);
        File.WriteAllBytes(labels, File.ReadAllBytes(labels)[..^1]);
        var error = Assert.Throws<AtlasInputException>(() => DatasetOpener.Open(new DatasetConfig { Kind = "idx", Path = folder.Path }));
        Assert.Equal($"{labels}: truncated (9 bytes, header promises 10)", error.Message);
    }

    private static void Gzip(string source, string destination)
    {
        using var input = File.OpenRead(source);
        using var output = new GZipStream(File.Create(destination), CompressionLevel.Fastest);
        input.CopyTo(output);
    }
}
