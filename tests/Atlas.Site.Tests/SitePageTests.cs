namespace Atlas.Site.Tests;

/// <summary>Tests that generate a site into a temporary folder of their own and read its pages back.</summary>
public abstract class SitePageTests : IDisposable
{
    protected TempFolder Temp { get; } = new();

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The text of a generated file, by its path inside the site.</summary>
    protected string Page(string sitePath) => File.ReadAllText(Path.Combine(Temp.Site, sitePath));
}
