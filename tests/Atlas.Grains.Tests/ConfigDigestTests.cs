using Atlas.Core.Configuration;
using Atlas.Grains.Jobs;

namespace Atlas.Grains.Tests;

/// <summary>What counts as "another config" for resuming, reusing and resubmitting (<see cref="ConfigDigest"/>).</summary>
public class ConfigDigestTests
{
    private static AtlasConfig Config(string architecture) => new()
    {
        Name = "digest",
        Title = "A title",
        Model = new() { Architecture = architecture, Checkpoint = "/a.pt" },
        Dataset = new() { Kind = "idx", Path = "/data", Split = "test" },
        FeatureVis = new() { Steps = 8 },
    };

    [Theory]
    [InlineData("demo-cnn", "Demo-CNN")]
    [InlineData("googlenet", "inceptionv1")] // an alias builds the same network
    [InlineData("googlenet", "Inception-V1")]
    [InlineData("torchscript", "TorchScript")]
    public void Spellings_of_one_architecture_are_one_config(string canonical, string other) =>
        Assert.Equal(ConfigDigest.Of(Config(canonical)), ConfigDigest.Of(Config(other)));

    [Fact]
    public void What_changes_results_counts_and_what_does_not_is_left_out()
    {
        var config = Config("demo-cnn");
        Assert.NotEqual(ConfigDigest.Of(config), ConfigDigest.Of(Config("resnet18")));
        Assert.NotEqual(ConfigDigest.Of(config), ConfigDigest.Of(config with { FeatureVis = new() { Steps = 9 } }));
        Assert.Equal(ConfigDigest.Of(config), ConfigDigest.Of(config with { Title = "Another title", Model = config.Model with { Checkpoint = "/b.pt" } }));
    }
}
