using System.Globalization;
using System.Net;
using Atlas.Site.Layout;

namespace Atlas.Site.Html;

/// <summary>The only way text reaches a page: every string from a manifest goes through <see cref="E"/>, in text and in attributes.</summary>
internal static class HtmlText
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string E(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A link from the page at <paramref name="fromPage"/> to the site path <paramref name="target"/>.</summary>
    public static string Link(string fromPage, string target, string text, string? cssClass = null) =>
        $"<a href=\"{E(SitePath.Relative(fromPage, target))}\"{Class(cssClass)}>{E(text)}</a>";

    public static string Href(string fromPage, string target) => E(SitePath.Relative(fromPage, target));

    public static string Class(string? cssClass) => cssClass is null ? "" : $" class=\"{E(cssClass)}\"";
}
