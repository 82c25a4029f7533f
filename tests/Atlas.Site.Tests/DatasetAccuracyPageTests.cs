using Atlas.Storage.Manifests;

namespace Atlas.Site.Tests;

/// <summary>
/// The model's accuracy on the atlas's own data set, shown apart from the demo trainer's test accuracy, and why it is
/// missing when it could not be measured.
/// </summary>
public sealed class DatasetAccuracyPageTests : SitePageTests
{
    private async Task GenerateAsync(AtlasManifest manifest) =>
        await new SiteGenerator().GenerateAsync(await TestAtlas.StoreAsync(Temp.StoreFolder, manifest), Temp.Site, new SiteOptions(), null, CancellationToken.None);

    [Fact]
    public async Task The_model_page_and_the_versions_table_show_the_measured_accuracy_with_its_image_count()
    {
        await GenerateAsync(TestAtlas.Manifest() with { Accuracy = new DatasetAccuracy(8_930, 10_000) });

        var model = Page("mnist-cnn/v1/index.html");
        Assert.Contains("<dt>Accuracy on the data set (10,000 images)</dt><dd>89.3 % (8,930 correct)</dd>", model);
        Assert.Contains("<dt>Test accuracy</dt>", model); // the trainer's figure stays, under its own name
        Assert.DoesNotContain("Below twice chance", model);
        Assert.Contains("data-label=\"Accuracy on the data set\">89.3 % <span class=\"meta\">of 10,000 images</span>", Page("index.html"));
    }

    [Fact]
    public async Task An_accuracy_below_twice_chance_says_what_to_check()
    {
        await GenerateAsync(TestAtlas.Manifest() with { Accuracy = new DatasetAccuracy(1_000, 10_000) });

        Assert.Contains("Below twice chance", Page("mnist-cnn/v1/index.html"));
    }

    [Fact]
    public async Task An_accuracy_that_could_not_be_measured_says_why_on_the_model_page()
    {
        await GenerateAsync(TestAtlas.Manifest() with { Accuracy = DatasetAccuracy.Unmeasured("the model has 1,000 classes and the data set 10") });

        Assert.Contains("<dt>Accuracy on the data set</dt><dd>not measured: the model has 1,000 classes and the data set 10</dd>", Page("mnist-cnn/v1/index.html"));
        Assert.Contains("title=\"not measured: the model has 1,000 classes and the data set 10\">—", Page("index.html"));
    }

    [Fact]
    public async Task An_atlas_made_before_the_accuracy_was_counted_renders_without_it()
    {
        await GenerateAsync(TestAtlas.Manifest()); // no Accuracy: stored as older manifests are, without the field

        Assert.DoesNotContain("Accuracy on the data set", Page("mnist-cnn/v1/index.html"));
        Assert.Contains("data-label=\"Accuracy on the data set\">—</td>", Page("index.html"));
    }
}
