using System.Globalization;
using System.Net;
using Atlas.Site.Layout;

namespace Atlas.Site.Html;

/// <summary>The only way text reaches a page: every string from a manifest goes through <see cref="E"/>, in text and in attributes.</summary>
internal static class HtmlText
{
    public static string E(string? text) => WebUtility.HtmlEncode(BidiClosed(text ?? ""));

    /// <summary>
    /// The text with every directional embedding, override or isolate it opens closed at its end. Names come from
    /// users' folders: a class named with U+202E (right-to-left override) and left open reversed the page's text after
    /// it. The closers are invisible; text without such controls is returned as it is.
    /// </summary>
    public static string BidiClosed(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\u202A', '\u202E') < 0 && text.AsSpan().IndexOfAnyInRange('\u2066', '\u2069') < 0) return text;
        var open = new Stack<char>();
        foreach (var c in text)
        {
            switch (c)
            {
                case >= '\u202A' and <= '\u202B' or >= '\u202D' and <= '\u202E': open.Push('\u202C'); break; // embeddings, overrides: PDF
                case >= '\u2066' and <= '\u2068': open.Push('\u2069'); break; // isolates: PDI
                case '\u202C' when open.TryPeek(out var top) && top == '\u202C': open.Pop(); break;
                case '\u2069':
                    // A PDI also closes the embeddings opened inside its isolate.
                    while (open.TryPop(out var closer) && closer != '\u2069') { }
                    break;
            }
        }
        return open.Count == 0 ? text : text + string.Concat(open);
    }

    public static string E(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A link from the page at <paramref name="fromPage"/> to the site path <paramref name="target"/>.</summary>
    public static string Link(string fromPage, string target, string text, string? cssClass = null) =>
        $"<a href=\"{E(SitePath.Relative(fromPage, target))}\"{Class(cssClass)}>{E(text)}</a>";

    public static string Href(string fromPage, string target) => E(SitePath.Relative(fromPage, target));

    public static string Class(string? cssClass) => cssClass is null ? "" : $" class=\"{E(cssClass)}\"";
}
