using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Atlas.Storage;

/// <summary>
/// An artifact store over one Azure Blob container (or Azurite in development): each key is a blob
/// name. Transient failures are retried by the Azure SDK's own pipeline, so there is no retry here.
/// </summary>
public sealed partial class AzureBlobArtifactStore : IArtifactStore
{
    /// <summary>
    /// The REST API version every client is pinned to. Azure.Storage.Blobs 12.30.1 defaults to
    /// 2026-10-06, which Azurite 3.37 rejects (400 InvalidHeaderValue); 2026-06-06 is accepted by
    /// both Azurite and Azure, and the store needs nothing newer.
    /// </summary>
    public const BlobClientOptions.ServiceVersion PinnedServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    private readonly BlobContainerClient _container;
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private volatile bool _containerReady;

    /// <summary>Wraps an existing container client; the container is created on the first write if missing.</summary>
    public AzureBlobArtifactStore(BlobContainerClient container)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
    }

    /// <summary>The container client, for callers that need blob features the store does not expose.</summary>
    public BlobContainerClient Container => _container;

    // The path part only: a SAS token in the query must never end up in a log line.
    public string Description => $"blob container {_container.Name} at {_container.Uri.GetLeftPart(UriPartial.Path)}";

    /// <summary>Client options with the pinned API version; use them for every client that talks to the same account.</summary>
    /// <param name="clientTries">
    /// Tries the client itself makes per call (null: the SDK's own six, about 25 s against a dead endpoint). A store
    /// retried from outside (<see cref="ResilientArtifactStore"/>) gives two, so an outage is noticed and said within a
    /// second instead of after the client's last try.
    /// </param>
    public static BlobClientOptions CreateClientOptions(int? clientTries = null)
    {
        var options = new BlobClientOptions(PinnedServiceVersion);
        if (clientTries is { } tries)
        {
            options.Retry.MaxRetries = tries - 1;
            options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        }
        return options;
    }

    /// <summary>
    /// A store over <paramref name="containerName"/> in the account a connection string names.
    /// Throws <see cref="ArgumentException"/> for a malformed connection string or container name
    /// without echoing the connection string, which carries the account key.
    /// </summary>
    public static AzureBlobArtifactStore FromConnectionString(string connectionString, string containerName, int? clientTries = null)
    {
        ValidateContainerName(containerName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException($"blob container '{containerName}': the storage connection string is empty");
        BlobServiceClient service;
        try
        {
            service = new BlobServiceClient(connectionString, CreateClientOptions(clientTries));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"blob container '{containerName}': the storage connection string is not valid ({e.GetType().Name})", e);
        }
        return new AzureBlobArtifactStore(service.GetBlobContainerClient(containerName));
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerNameRule();

    /// <summary>Azure's container naming rule, checked up front so the user gets a reason instead of a 400.</summary>
    public static string ValidateContainerName(string containerName)
    {
        if (containerName is null || !ContainerNameRule().IsMatch(containerName))
            throw new ArgumentException(
                $"blob container name '{containerName}' is not valid: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit");
        return containerName;
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(ArtifactKey.Validate(key));
        await EnsureContainerAsync(cancellationToken);
        // No conditions: an upload replaces any existing blob, which is what makes re-runs idempotent. The MD5 goes with
        // the blob whatever way the client uploads it (the service computes one only for a single-request upload), so a
        // site can tell from a listing that the image it holds is still this one.
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType, ContentHash = System.Security.Cryptography.MD5.HashData(content.Span) },
        };
        await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(ArtifactKey.Validate(key));
        try
        {
            var result = await blob.DownloadContentAsync(cancellationToken);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // BlobNotFound and ContainerNotFound alike: nothing was ever written there.
            return null;
        }
    }

    /// <summary>
    /// A copy made by the service (Copy Blob within the account), so a worker reusing an older version's pictures does
    /// not download and upload each one; the copy keeps the source's content type. Where the service will not copy (a
    /// SAS that cannot read the source by its address), the bytes go through this process instead.
    /// </summary>
    public async Task<bool> CopyAsync(string fromKey, string toKey, string contentType, CancellationToken cancellationToken = default)
    {
        var source = _container.GetBlobClient(ArtifactKey.Validate(fromKey));
        var target = _container.GetBlobClient(ArtifactKey.Validate(toKey));
        await EnsureContainerAsync(cancellationToken);
        try
        {
            var copy = await target.StartCopyFromUriAsync(source.Uri, cancellationToken: cancellationToken);
            await copy.WaitForCompletionAsync(cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (RequestFailedException e) when (e.Status is 401 or 403)
        {
            return await IArtifactStore.CopyThroughAsync(this, fromKey, toKey, contentType, cancellationToken);
        }
    }

    public string? LocalFile(string key) => null;

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(ArtifactKey.Validate(key));
        try
        {
            return (await blob.ExistsAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // Validate at the call, not at the first MoveNext, so a bad prefix fails where it is passed.
        ArtifactKey.ValidatePrefix(prefix);
        return ListBlobsAsync(prefix, cancellationToken).Select(item => item.Name);
    }

    /// <summary>From the listing's pages: a few thousand blobs a request, instead of one request per blob.</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>?> ContentHashesAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArtifactKey.ValidatePrefix(prefix);
        var hashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (var item in ListBlobsAsync(prefix, cancellationToken))
        {
            if (item.Properties.ContentHash is { Length: 16 } md5) hashes[item.Name] = md5;
        }
        return hashes;
    }

    private async IAsyncEnumerable<BlobItem> ListBlobsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The service returns names in lexicographic (UTF-8 byte) order, which equals ordinal order
        // for the ASCII-only names ArtifactKey allows, so the listing streams without sorting.
        var options = new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix };
        await using var pages = _container.GetBlobsAsync(options, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            Page<BlobItem> page;
            try
            {
                if (!await pages.MoveNextAsync()) yield break;
                page = pages.Current;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // A container that was never written to holds no keys; reading must not create it.
                yield break;
            }
            foreach (var item in page.Values) yield return item;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(ArtifactKey.Validate(key));
        try
        {
            await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The container itself is missing: the key is gone either way.
        }
    }

    /// <summary>
    /// Creates the container on the first write only, so a read-only credential (a site reader with
    /// a read SAS) never needs create rights. A failed attempt is retried by the next write.
    /// </summary>
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady) return;
        await _createGate.WaitAsync(cancellationToken);
        try
        {
            if (_containerReady) return;
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _containerReady = true;
        }
        finally
        {
            _createGate.Release();
        }
    }
}
