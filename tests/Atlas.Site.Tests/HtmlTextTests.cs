using Atlas.Site.Html;

namespace Atlas.Site.Tests;

/// <summary>Text from manifests (class and layer names from users' folders) cannot change how the rest of a page reads.</summary>
public class HtmlTextTests
{
    [Theory]
    [InlineData("shirt", "shirt")] // nothing to close: the same string
    [InlineData("evil\u202Egnp.exe", "evil\u202Egnp.exe\u202C")] // a right-to-left override left open
    [InlineData("a\u2067b\u202Ac", "a\u2067b\u202Ac\u202C\u2069")] // closed innermost first
    [InlineData("a\u202Eb\u202C c", "a\u202Eb\u202C c")] // already closed
    [InlineData("a\u2066b\u202Dc\u2069d", "a\u2066b\u202Dc\u2069d")] // a PDI closes what its isolate opened
    public void Directional_controls_a_name_opens_are_closed_at_its_end(string name, string expected) =>
        Assert.Equal(expected, HtmlText.BidiClosed(name));

    [Fact]
    public void Escaping_closes_them_too() =>
        Assert.Equal("&lt;b&gt;\u202Eb\u202C", HtmlText.E("<b>\u202Eb"));
}
