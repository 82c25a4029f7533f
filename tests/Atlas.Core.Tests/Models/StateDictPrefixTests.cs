using Atlas.Core.Models.Checkpoints;

namespace Atlas.Core.Tests.Models;

/// <summary>Which prefix a trainer saved a network's keys under, found from where its logits weight lies.</summary>
public class StateDictPrefixTests
{
    [Theory]
    [InlineData("", "conv1.weight", "fc.weight")]
    [InlineData("module.", "module.conv1.weight", "module.fc.weight")] // DataParallel
    [InlineData("_orig_mod.", "_orig_mod.conv1.weight", "_orig_mod.fc.weight")] // torch.compile
    [InlineData("model.", "model.conv1.weight", "model.fc.weight", "criterion.weight")] // a Lightning module and its loss
    [InlineData("module._orig_mod.", "module._orig_mod.conv1.weight", "module._orig_mod.fc.weight")]
    // Inception v3's auxiliary head ends in "fc.weight" too; it lies inside the wrapper, so it is no second candidate.
    [InlineData("model.", "model.Conv2d_1a_3x3.conv.weight", "model.AuxLogits.fc.weight", "model.fc.weight")]
    [InlineData("", "conv1.weight", "AuxLogits.fc.weight", "fc.weight")]
    public void The_prefix_is_what_stands_before_the_logits_weight(string expected, params string[] keys) =>
        Assert.Equal(expected, StateDictPrefix.Find(keys, "fc.weight", "net.pth", "resnet18"));

    [Fact]
    public void Without_a_logits_weight_only_a_prefix_every_key_shares_as_data_parallel_writes_it_is_removed()
    {
        Assert.Equal("module.", StateDictPrefix.Find(["module.conv1.weight", "module.bn1.weight"], "fc.weight", "net.pth", "resnet18"));
        Assert.Equal("", StateDictPrefix.Find(["model.conv1.weight", "model.bn1.weight"], "fc.weight", "net.pth", "resnet18"));
        Assert.Equal("", StateDictPrefix.Find(["module.conv1.weight", "head.weight"], "fc.weight", "net.pth", "resnet18"));
    }

    [Fact]
    public void Two_whole_networks_side_by_side_are_refused_naming_both_prefixes()
    {
        var error = Assert.Throws<AtlasInputException>(() =>
            StateDictPrefix.Find(["model.conv1.weight", "model.fc.weight", "ema.conv1.weight", "ema.fc.weight"], "fc.weight", "run.ckpt", "resnet18"));
        Assert.StartsWith("run.ckpt: ", error.Message);
        Assert.Contains("'ema.', 'model.'", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Stripping_keeps_keys_outside_the_prefix_under_their_own_names()
    {
        var stripped = StateDictPrefix.Strip(new Dictionary<string, int> { ["model.fc.weight"] = 1, ["criterion.weight"] = 2 }, "model.");
        Assert.Equal(new Dictionary<string, int> { ["fc.weight"] = 1, ["criterion.weight"] = 2 }, stripped);
    }
}
