namespace Atlas.Site;

/// <summary>A site could not be generated (a missing image, a bad manifest, an output folder that is not a site); the message says which.</summary>
public sealed class SiteGenerationException : Exception
{
    public SiteGenerationException(string message) : base(message) { }
    public SiteGenerationException(string message, Exception inner) : base(message, inner) { }
}
