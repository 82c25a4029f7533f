namespace Atlas.Site;

/// <summary>What to generate: the site's title and which atlas versions it includes.</summary>
public sealed record SiteOptions
{
    /// <summary>The title of the home page and the first breadcrumb on every page.</summary>
    public string Title { get; init; } = "Circuit Atlas";

    /// <summary>
    /// Which atlas versions to include, asked with the manifest's atlas name and version; null includes all.
    /// When set and nothing matches, generation fails rather than replace a site with an empty one.
    /// </summary>
    public Func<string, string, bool>? Include { get; init; }

    /// <summary>How many unit thumbnails the model overview shows per layer.</summary>
    public int StripLength { get; init; } = 8;

    /// <summary>How many images are copied from the store at once (a remote store benefits from more).</summary>
    public int MaxParallelCopies { get; init; } = 8;

    /// <summary>
    /// Whether images from a local folder store are hard-linked into the site (where the file system allows) rather than
    /// copied. The site keeps its bytes either way, since the store replaces files by renames and never rewrites them; a
    /// link only shares the disk space, and an image edited in place in the site would change in the store too.
    /// </summary>
    public bool LinkLocalImages { get; init; } = true;

    /// <summary>Told once, with a sentence to show, when another generation into the same folder holds it and this one
    /// waits for its turn (the progress reports are details; this one the user should see).</summary>
    public Action<string>? Waiting { get; init; }

    /// <summary>
    /// Told as each step of the generation (and of an upload) advances, with its count so far and its total, for a
    /// progress bar; called from several threads at once while images are placed or files uploaded. The detail lines
    /// of <see cref="SiteGenerator.GenerateAsync"/>'s progress are for logs.
    /// </summary>
    public Action<SiteProgress>? Counts { get; init; }

    /// <summary>
    /// Whether images that the site being replaced already holds, and that a blob store still holds unchanged (the MD5
    /// the store records), are kept rather than downloaded again. Off, every image is fetched from the store, as a first
    /// publish does; the benchmark compares the two.
    /// </summary>
    public bool KeepUnchangedImages { get; init; } = true;

    /// <summary>
    /// The site this generation replaces, when it is not the output folder itself: the blob container a site generated
    /// into a temporary folder is uploaded to. Its images that the store still holds are kept rather than fetched.
    /// </summary>
    internal Output.IPreviousSite? PreviousSite { get; init; }

    /// <summary>
    /// A filter for <see cref="Include"/> from selectors such as "mnist" (every version of an atlas) or
    /// "mnist/v2" (one version); a name matches as written or as its key segment.
    /// </summary>
    public static Func<string, string, bool> Selecting(IEnumerable<string> selectors)
    {
        var parsed = selectors
            .Select(s => s.Trim())
            .Where(s => s.Length > 0)
            .Select(s => s.Split('/', 2))
            .Select(p => (Atlas: p[0], Version: p.Length > 1 ? p[1] : null))
            .ToList();
        return (atlas, version) => parsed.Any(s =>
            Matches(s.Atlas, atlas) && (s.Version is null || Matches(s.Version, version)));
    }

    private static bool Matches(string selector, string name) =>
        string.Equals(selector, name, StringComparison.Ordinal) ||
        string.Equals(selector, Storage.ArtifactKey.Segment(name), StringComparison.Ordinal);
}
