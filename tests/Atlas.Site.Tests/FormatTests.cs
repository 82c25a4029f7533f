using Atlas.Site.Html;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>How manifest values read on a page.</summary>
public class FormatTests
{
    [Theory]
    [InlineData("Fashion-MNIST (test)", "test", "10,000 images")] // the name says the split: once is enough
    [InlineData("MNIST", "test", "test, 10,000 images")]
    [InlineData("flowers", "", "10,000 images")] // an image folder has no split
    [InlineData("Fashion-MNIST (train)", "test", "test, 10,000 images")] // a name that names another split keeps this one
    public void The_dataset_size_names_the_split_unless_the_dataset_name_already_does(string name, string split, string expected) =>
        Assert.Equal(expected, Format.DatasetSize(new DatasetInfo(name, split, 10_000, [])));

    [Fact]
    public void Unreadable_images_are_left_out_of_the_dataset_size_and_counted_beside_it()
    {
        var unreadable = new UnreadableImages(3, [new UnreadableImage(7, "a/7.png", "not an image")]);
        Assert.Equal("9,997 images, of 10,000 files: 3 unreadable",
            Format.DatasetSize(new DatasetInfo("flowers", "", 10_000, []) { Unreadable = unreadable }));
    }
}
