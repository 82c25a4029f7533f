using Atlas.Storage;

namespace Atlas.Site.Publishing;

/// <summary>What a publish wrote: the generated site, and for a blob target what the upload did.</summary>
public sealed record PublishResult(SiteResult Site, BlobPublishResult? Blob, string Location);

/// <summary>
/// Publishes the site of a store's atlases to a folder (generated in place, swapped in atomically)
/// or to a blob container (generated into a temporary folder, then uploaded by <see cref="BlobSitePublisher"/>). Either
/// way, images that the site already holds and the store still holds unchanged are kept rather than fetched again.
/// </summary>
public static class SitePublisher
{
    public static async Task<PublishResult> PublishAsync(
        IArtifactStore store, string target, SiteOptions options, IProgress<string>? progress, CancellationToken ct,
        Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (!BlobSiteTarget.IsBlobLocation(target))
        {
            var site = await new SiteGenerator().GenerateAsync(store, target, options, progress, ct);
            return new PublishResult(site, null, Path.Combine(site.OutputDirectory, "index.html"));
        }

        // Parse, connect and reach the account before generating, so a bad target fails in seconds, not after minutes.
        var container = BlobSiteTarget.Parse(target).Connect(getEnvironmentVariable);
        ContainerSite previous;
        try
        {
            await container.ExistsAsync(ct);
            previous = await ContainerSite.ReadAsync(container, ct);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException)
        {
            throw new SiteGenerationException($"{target}: blob container '{container.Name}' could not be reached ({ErrorCause.Of(e)})", e);
        }
        var temp = Path.Combine(Path.GetTempPath(), $"circuit-atlas-publish-{Guid.NewGuid():N}");
        try
        {
            // The container's images that the store still holds stay where they are: not downloaded, not uploaded again.
            var site = await new SiteGenerator().GenerateAsync(store, Path.Combine(temp, "site"), options with { PreviousSite = previous }, progress, ct);
            var blob = await new BlobSitePublisher(Math.Max(1, options.MaxParallelCopies))
                .PublishAsync(site.OutputDirectory, container, previous, progress, ct, options.Counts);
            return new PublishResult(site, blob, $"{container.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/')}/index.html");
        }
        finally
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
