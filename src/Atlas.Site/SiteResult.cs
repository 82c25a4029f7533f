namespace Atlas.Site;

/// <summary>
/// What a generation wrote: the site folder, and how many atlases, pages, images and bytes it holds; of the images, how
/// many were taken from the site it replaced because the store (a blob store) still holds the same bytes.
/// </summary>
public sealed record SiteResult(string OutputDirectory, int Atlases, int Pages, int Images, long Bytes, int ImagesKept = 0);
