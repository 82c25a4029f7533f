using Atlas.Site.Layout;
using static Atlas.Site.Html.HtmlText;

namespace Atlas.Site.Html;

/// <summary>img tags for an atlas's copied images: relative src, alt text, and width/height from the real image.</summary>
internal sealed class ImageTags(AtlasLayout atlas, IReadOnlyDictionary<string, ImageSize> sizes)
{
    public const int Strip = 48;
    public const int Neighbour = 56;
    public const int Thumbnail = 96;
    public const int Example = 112;
    public const int Visualization = 176;
    public const int Large = 320;

    /// <param name="box">The longer side, in CSS pixels, the image is shown at.</param>
    public string Img(string pagePath, string key, string alt, int box, bool lazy = true, string? cssClass = null)
    {
        var size = (sizes.TryGetValue(key, out var s) ? s : new ImageSize(1, 1)).FitInto(box);
        var src = SitePath.Relative(pagePath, atlas.ImagePath(key));
        var loading = lazy ? " loading=\"lazy\" decoding=\"async\"" : "";
        return $"<img src=\"{E(src)}\" alt=\"{E(alt)}\" width=\"{size.Width}\" height=\"{size.Height}\"{Class(cssClass)}{loading}>";
    }

    /// <summary>The site path of an image, for pages that build image URLs in script data (the search index).</summary>
    public string Path(string key) => atlas.ImagePath(key);
}
