namespace Atlas.Site;

/// <summary>What a generation wrote: the site folder, and how many atlases, pages, images and bytes it holds.</summary>
public sealed record SiteResult(string OutputDirectory, int Atlases, int Pages, int Images, long Bytes);
