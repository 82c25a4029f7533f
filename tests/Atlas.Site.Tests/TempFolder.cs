namespace Atlas.Site.Tests;

/// <summary>A folder for one test, deleted afterwards: a store folder and the parent of the site folder.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atlas-site-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        StoreFolder = System.IO.Path.Combine(Path, "store");
        SiteParent = System.IO.Path.Combine(Path, "out");
        Site = System.IO.Path.Combine(SiteParent, "site");
    }

    public string Path { get; }
    public string StoreFolder { get; }

    /// <summary>The folder that holds the site folder, where temporary folders would be left.</summary>
    public string SiteParent { get; }
    public string Site { get; }

    /// <summary>Names of everything beside the site folder's contents, i.e. in its parent.</summary>
    /// <summary>What lies beside the site, apart from its publish lock (an empty file that stays, see PublishLock).</summary>
    public string[] SiteParentEntries() =>
        Directory.Exists(SiteParent)
            ? Directory.GetFileSystemEntries(SiteParent).Select(e => System.IO.Path.GetFileName(e)).Where(n => n != ".site.lock").ToArray()
            : [];

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
