using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Html;

/// <summary>img tags for an atlas's copied images: relative src, alt text, and width/height from the real image.</summary>
internal sealed class ImageTags(AtlasLayout atlas, IReadOnlyDictionary<string, ImageSize> sizes)
{
    public const int Strip = 48;
    public const int Thumbnail = 96;
    public const int Large = 320;

    /// <param name="box">The longer side, in CSS pixels, the image is shown at.</param>
    public string Img(string pagePath, string key, string alt, int box, bool lazy = true)
    {
        var size = (sizes.TryGetValue(key, out var s) ? s : new ImageSize(1, 1)).FitInto(box);
        var src = SitePath.Relative(pagePath, atlas.ImagePath(key));
        var loading = lazy ? " loading=\"lazy\"" : "";
        return $"<img src=\"{E(src)}\" alt=\"{E(alt)}\" width=\"{size.Width}\" height=\"{size.Height}\"{loading}>";
    }
}
