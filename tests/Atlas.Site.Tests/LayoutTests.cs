using Atlas.Site.Layout;
using Atlas.Storage;

namespace Atlas.Site.Tests;

public sealed class LayoutTests
{
    [Theory]
    [InlineData("index.html", "a/v/index.html", "a/v/index.html")]
    [InlineData("a/v/index.html", "index.html", "../../index.html")]
    [InlineData("a/v/conv/0.html", "a/v/conv/1.html", "1.html")]
    [InlineData("a/v/conv/0.html", "a/v/img/layers/conv/units/0/vis.png", "../img/layers/conv/units/0/vis.png")]
    [InlineData("a/v/conv/0.html", "assets/site.css", "../../../assets/site.css")]
    [InlineData("a/v/conv/0.html", "a/w/conv/0.html", "../../w/conv/0.html")]
    [InlineData("a/v/a/index.html", "a/v/index.html", "../index.html")]
    public void Relative_links_lead_from_a_page_to_a_target(string from, string to, string expected) =>
        Assert.Equal(expected, SitePath.Relative(from, to));

    [Fact]
    public void Layer_names_become_unique_safe_folders()
    {
        var manifest = TestAtlas.Manifest() with
        {
            Layers =
            [
                new("conv 1", "conv", 1, 1, 1, []),
                new("conv_1", "conv", 1, 1, 1, []),
                new("img", "conv", 1, 1, 1, []),
                new("../x", "conv", 1, 1, 1, []),
            ],
        };

        var layout = AtlasLayout.Create("mnist-cnn/v1/atlas.json", manifest);

        Assert.Equal(["mnist-cnn/v1/conv_1", "mnist-cnn/v1/conv_1-2", "mnist-cnn/v1/img-2", "mnist-cnn/v1/x_x"],
            layout.Layers.Select(l => l.Folder));
        Assert.All(layout.Layers, l => ArtifactKey.Validate(l.IndexPage));
    }

    [Fact]
    public void Images_mirror_their_key_below_the_version_root()
    {
        var layout = AtlasLayout.Create("mnist-cnn/v1/atlas.json", TestAtlas.Manifest());

        Assert.Equal("mnist-cnn/v1/img/dataset/images/3.png", layout.ImagePath("mnist-cnn/v1/dataset/images/3.png"));
        Assert.Equal("mnist-cnn/v1/img/_/shared/images/3.png", layout.ImagePath("shared/images/3.png"));
    }

    [Fact]
    public void Image_sizes_come_from_the_png_header()
    {
        Assert.Equal(new ImageSize(28, 14), ImageSize.FromPng(TestPng.Gray(28, 14)));
        Assert.Equal(new ImageSize(1, 1), ImageSize.FromPng(TestPng.OnePixel));
        Assert.Null(ImageSize.FromPng("not a png at all, not at all"u8));
        Assert.Equal(new ImageSize(96, 48), new ImageSize(28, 14).FitInto(96));
        Assert.Equal(new ImageSize(48, 96), new ImageSize(14, 28).FitInto(96));
    }

    [Fact]
    public void Selectors_match_an_atlas_or_one_version_by_name_or_segment()
    {
        var select = SiteOptions.Selecting(["mnist", "fashion_mnist/v2"]);

        Assert.True(select("mnist", "v1"));
        Assert.True(select("fashion mnist", "v2"));
        Assert.True(select("fashion_mnist", "v2"));
        Assert.False(select("fashion mnist", "v1"));
        Assert.False(select("cifar", "v1"));
    }
}
