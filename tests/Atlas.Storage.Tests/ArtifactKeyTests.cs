using Atlas.Storage;

namespace Atlas.Storage.Tests;

public sealed class ArtifactKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("googlenet/v1/atlas.json")]
    [InlineData("x/layers/inception4a/units/511/vis.png")]
    [InlineData("A-b_c.d/0")]
    public void Safe_keys_pass_unchanged(string key)
    {
        Assert.Equal(key, ArtifactKey.Validate(key));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("../x", "'..'")]
    [InlineData("a/../b", "'..'")]
    [InlineData("a/./b", "'.'")]
    [InlineData("/abs", "empty segment or is absolute")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "empty segment")]
    [InlineData("a\\b", "unsafe segment 'a\\b'")]
    [InlineData("c:/x", "unsafe segment 'c:'")]
    [InlineData("a/b c", "unsafe segment 'b c'")]
    [InlineData(".hidden", "unsafe segment")]
    [InlineData("-flag", "unsafe segment")]
    [InlineData("é", "unsafe segment")]
    public void Unsafe_keys_fail_naming_the_problem(string key, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ArtifactKey.Validate(key));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Overlong_keys_fail()
    {
        var e = Assert.Throws<ArgumentException>(() => ArtifactKey.Validate(new string('a', 513)));
        Assert.Contains("longer than 512", e.Message);
        Assert.Equal(512, ArtifactKey.Validate(new string('a', 512)).Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/")]
    [InlineData("a/b/")]
    [InlineData("a/b")]
    public void Valid_prefixes_pass(string prefix)
    {
        Assert.Equal(prefix, ArtifactKey.ValidatePrefix(prefix));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("a//")]
    [InlineData("../")]
    [InlineData("/a/")]
    [InlineData("a/./")]
    public void Invalid_prefixes_fail(string prefix)
    {
        Assert.Throws<ArgumentException>(() => ArtifactKey.ValidatePrefix(prefix));
    }

    [Theory]
    [InlineData("conv1", "conv1")]
    [InlineData("inception4a.branch2.0", "inception4a.branch2.0")]
    [InlineData("features/3", "features_3")]
    [InlineData("golden retriever", "golden_retriever")]
    [InlineData("..", "x")]
    [InlineData("../etc", "x_etc")]
    [InlineData("_private", "x_private")]
    [InlineData("", "x")]
    [InlineData("Ünïcode", "x_n_code")]
    public void Segment_makes_any_name_one_safe_segment(string name, string expected)
    {
        var segment = ArtifactKey.Segment(name);
        Assert.Equal(expected, segment);
        Assert.Equal(segment, ArtifactKey.Validate(segment));
    }

    [Fact]
    public void Segment_caps_the_length()
    {
        var segment = ArtifactKey.Segment(new string('a', 300));
        Assert.Equal(100, segment.Length);
    }

    [Fact]
    public void Join_validates_the_result()
    {
        Assert.Equal("a/b/c", ArtifactKey.Join("a", "b", "c"));
        Assert.Throws<ArgumentException>(() => ArtifactKey.Join("a", "..", "c"));
        Assert.Throws<ArgumentException>(() => ArtifactKey.Join("a", "", "c"));
    }
}
