using System.Security.Cryptography;
using Atlas.Site.Output;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Atlas.Site.Publishing;

/// <summary>
/// What a blob publish did: files uploaded; files not uploaded because the container had them (unchanged, or an image
/// copied within the container from another version's copy of it); stale files deleted; whether anyone may read the
/// container at its blob address (its public access level), or null where the credentials may not ask.
/// </summary>
public sealed record BlobPublishResult(string Container, int Uploaded, int Unchanged, int Deleted, bool? AnonymousRead = null);

/// <summary>A publish that stopped part-way; the site's index still is the previous one.</summary>
public sealed class SitePublishException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Uploads a generated site folder to a blob container (static-website <c>$web</c> layout: the
/// site's files at the container's root) so that readers never follow a link into an unfinished
/// version. Order: the marker, shared assets, then each atlas version (versions the container does
/// not have yet first) from its images up to its own index page, then the site's index.html, and
/// only then are files the new site no longer has deleted. A publish that fails anywhere before the
/// index leaves the old index, which links only to what was there before, so readers keep the
/// previous site; versions are immutable, so rewriting one rewrites the same content.
/// Files whose MD5, content type and cache control already match are not uploaded again.
/// </summary>
internal sealed class BlobSitePublisher(int parallelism = 8)
{
    private sealed record SiteFile(string Name, string FullPath);

    /// <param name="previous">What the container held before (<see cref="ContainerSite.ReadAsync"/>), with the images the
    /// generation kept there rather than wrote into <paramref name="siteFolder"/>.</param>
    /// <param name="counts">Told how many of the site's files have gone up (or were found unchanged), for a progress bar.</param>
    public async Task<BlobPublishResult> PublishAsync(
        string siteFolder, BlobContainerClient container, ContainerSite previous, IProgress<string>? progress, CancellationToken ct,
        Action<SiteProgress>? counts = null)
    {
        var root = Path.GetFullPath(siteFolder);
        if (!File.Exists(Path.Combine(root, "index.html")))
            throw new SiteGenerationException($"'{root}' holds no generated site (index.html is missing)");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => new SiteFile(Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'), f))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();

        var where = $"blob container '{container.Name}' at {container.Uri.GetLeftPart(UriPartial.Path)}";
        var existing = previous.Blobs;
        if (existing.Count == 0) await container.CreateIfNotExistsAsync(cancellationToken: ct);

        var phases = Phases(files, existing);
        var uploaded = 0;
        var unchanged = previous.Kept.Count;
        var done = 0;
        var sent = new StepCounter(counts, $"upload to {container.Name}", files.Count);
        try
        {
            foreach (var (name, phase) in phases)
            {
                progress?.Report($"{where}: uploading {name} ({phase.Count} files)");
                var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct };
                await Parallel.ForEachAsync(phase, options, async (file, token) =>
                {
                    if (await UploadAsync(container, file, existing, token)) Interlocked.Increment(ref uploaded);
                    else Interlocked.Increment(ref unchanged);
                    Interlocked.Increment(ref done);
                    sent.Advance();
                });
            }
        }
        catch (Exception e) when (e is RequestFailedException or IOException or OperationCanceledException)
        {
            if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
            throw new SitePublishException(
                $"publishing to {where} failed after {done} of {files.Count} files ({e.Message.Split('\n')[0].Trim()}); " +
                "the site's index.html was not replaced, so readers still see the previous site", e);
        }

        // Only now that the new index is live: files of versions the new site dropped.
        var keep = files.Select(f => f.Name).Concat(previous.Kept).ToHashSet(StringComparer.Ordinal);
        var stale = existing.Keys.Where(name => !keep.Contains(name)).ToList();
        foreach (var name in stale) await container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct);
        progress?.Report($"{where}: {uploaded} uploaded, {unchanged} unchanged, {stale.Count} stale deleted");
        return new BlobPublishResult(container.Name, uploaded, unchanged, stale.Count, await AnonymousReadAsync(container, ct));
    }

    /// <summary>
    /// Whether readers get the pages at the container's blob address: a private container (Azure's default) answers
    /// them 403, which a publish that only said where it went would leave them to discover.
    /// </summary>
    private static async Task<bool?> AnonymousReadAsync(BlobContainerClient container, CancellationToken ct)
    {
        try
        {
            var policy = await container.GetAccessPolicyAsync(cancellationToken: ct);
            return policy.Value.BlobPublicAccess != PublicAccessType.None;
        }
        catch (RequestFailedException)
        {
            // A SAS that may write blobs need not be allowed to read the container's policy: then nothing is known.
            return null;
        }
    }

    /// <summary>The upload phases in order; each phase's files go up in parallel, and a phase starts when the one before finished.</summary>
    private static List<(string Name, List<SiteFile> Files)> Phases(List<SiteFile> files, IReadOnlyDictionary<string, BlobItem> existing)
    {
        var phases = new List<(string, List<SiteFile>)>
        {
            ("site marker", files.Where(f => f.Name == StagingFolder.MarkerFile).ToList()),
            ("shared assets", files.Where(f => Segments(f.Name) < 3 && f.Name != "index.html" && f.Name != StagingFolder.MarkerFile).ToList()),
        };
        var versions = files.Where(f => Segments(f.Name) >= 3)
            .GroupBy(f => string.Join('/', f.Name.Split('/')[..2]), StringComparer.Ordinal)
            // A version the container lacks goes first: nothing links to it until the site index does.
            .OrderBy(g => existing.ContainsKey($"{g.Key}/index.html") ? 1 : 0)
            .ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var version in versions)
        {
            foreach (var rank in version.GroupBy(f => Rank(version.Key, f.Name)).OrderBy(g => g.Key))
                phases.Add(($"{version.Key} ({RankName(rank.Key)})", rank.ToList()));
        }
        phases.Add(("site index", files.Where(f => f.Name == "index.html").ToList()));
        return phases.Where(p => p.Item2.Count > 0).ToList();
    }

    private static int Segments(string name) => name.Count(c => c == '/') + 1;

    /// <summary>Inside a version: images and data, then unit pages, then layer pages, then search, then the version's index.</summary>
    private static int Rank(string version, string name)
    {
        if (!name.EndsWith(".html", StringComparison.Ordinal)) return 0;
        if (name == $"{version}/index.html") return 4;
        if (Segments(name) == 3) return 3;
        return name.EndsWith("/index.html", StringComparison.Ordinal) ? 2 : 1;
    }

    private static string RankName(int rank) => rank switch
    {
        0 => "images and data",
        1 => "unit pages",
        2 => "layer pages",
        3 => "search",
        _ => "overview",
    };

    private static async Task<bool> UploadAsync(BlobContainerClient container, SiteFile file, IReadOnlyDictionary<string, BlobItem> existing, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(file.FullPath, ct);
        var md5 = MD5.HashData(bytes);
        if (existing.TryGetValue(file.Name, out var old) && ContainerSite.IsCurrent(file.Name, old, md5)) return false;
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders
            {
                ContentType = ContentTypes.For(file.Name), CacheControl = ContentTypes.CacheControlFor(file.Name), ContentHash = md5,
            },
            Metadata = ContainerSite.Metadata(file.Name, bytes),
        };
        await container.GetBlobClient(file.Name).UploadAsync(BinaryData.FromBytes(bytes), options, ct);
        return true;
    }
}
