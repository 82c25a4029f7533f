using System.Text.RegularExpressions;
using Atlas.Core;
using Atlas.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Atlas.Grains.Watchers;

/// <summary>A file in a checkpoint source; <see cref="Stamp"/> changes whenever its content may have (mtime, ETag).</summary>
public sealed record CheckpointEntry(string Key, long Size, string Stamp, DateTimeOffset Modified)
{
    /// <summary>Same key, size and stamp: the content hash computed before still holds, no need to read it again.</summary>
    public string Fingerprint => $"{Key}|{Size}|{Stamp}";
}

/// <summary>
/// Where new checkpoints appear: a folder, or a blob container prefix. Only the files directly in it
/// with a checkpoint extension count, so a trainer's side files (metadata .json, partial .tmp) are
/// not mistaken for checkpoints. A trainer may save straight into a watched folder: a file still being
/// written is recognized as unfinished by its format (<see cref="Atlas.Core.Models.Checkpoints.CheckpointCompleteness"/>)
/// and left for a later listing.
/// </summary>
public interface ICheckpointSource
{
    string Description { get; }
    Task<IReadOnlyList<CheckpointEntry>> ListAsync(CancellationToken cancellationToken);
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);
    /// <summary>The side file a trainer may write beside a checkpoint ({key}.json), or null.</summary>
    Task<byte[]?> ReadSideFileAsync(string key, CancellationToken cancellationToken);
}

public static partial class CheckpointSources
{
    public static readonly IReadOnlyList<string> Extensions = [".pt", ".pth", ".bin", ".safetensors", ".ckpt"];

    public static bool IsCheckpointName(string name) => Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("^azure-blob://(?<container>[^/?]+)/?(?<prefix>[^?]*)(\\?connection=(?<variable>[A-Za-z_][A-Za-z0-9_]*))?$", RegexOptions.IgnoreCase)]
    private static partial Regex BlobForm();

    /// <summary>A folder path or file:/// address, or azure-blob://container/prefix[?connection=ENV_VAR] (default variable: ATLAS_STORAGE_CONNECTION).</summary>
    public static ICheckpointSource Open(string location, Func<string, string?>? environment = null)
    {
        if (FolderOf(location) is { } folder) return new FolderCheckpointSource(folder);
        var match = BlobForm().Match(location);
        if (!match.Success)
            throw new AtlasInputException($"watch.source: '{location}' is not a folder, file:///folder or azure-blob://container/prefix[?connection=ENV_VAR]");
        var variable = match.Groups["variable"].Success ? match.Groups["variable"].Value : ArtifactStores.DefaultConnectionVariable;
        var connection = (environment ?? Environment.GetEnvironmentVariable)(variable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new AtlasInputException($"watch.source: '{location}' needs a storage connection string in the environment variable {variable}, which is not set");
        var container = match.Groups["container"].Value;
        AzureBlobArtifactStore.ValidateContainerName(container);
        var prefix = match.Groups["prefix"].Value;
        if (prefix.Length > 0 && !prefix.EndsWith('/')) prefix += "/";
        var client = new BlobServiceClient(connection, AzureBlobArtifactStore.CreateClientOptions()).GetBlobContainerClient(container);
        return new BlobCheckpointSource(client, prefix);
    }

    /// <summary>The absolute folder a folder source (a path or file:/// address) names; null for any other source.</summary>
    public static string? FolderOf(string location) =>
        !location.Contains("://", StringComparison.Ordinal) ? Path.GetFullPath(location)
        : FileUris.IsFileUri(location) ? LocalFolder(location)
        : null;

    private static string LocalFolder(string location)
    {
        try
        {
            return FileUris.LocalPath(location);
        }
        catch (ArgumentException e)
        {
            throw new AtlasInputException($"watch.source: {e.Message}");
        }
    }
}

public sealed class FolderCheckpointSource(string folder) : ICheckpointSource
{
    public string Description => $"folder {folder}";

    /// <summary>The watched folder, absolute.</summary>
    public string Folder { get; } = Path.GetFullPath(folder);

    public Task<IReadOnlyList<CheckpointEntry>> ListAsync(CancellationToken cancellationToken)
    {
        // A folder that does not exist yet is an empty source: the trainer may create it later.
        if (!Directory.Exists(folder)) return Task.FromResult<IReadOnlyList<CheckpointEntry>>([]);
        IReadOnlyList<CheckpointEntry> entries = new DirectoryInfo(folder).EnumerateFiles()
            .Where(f => CheckpointSources.IsCheckpointName(f.Name))
            .Select(f => (f.Name, File: FileContent.Target(f)))
            // A link counts as its target, whose size and time change when a trainer rewrites it behind "latest.pt".
            // Not listed: no bytes (a file just created, or a pipe, whose read would wait for a writer forever), a broken link.
            .Where(f => f.File is { Exists: true, Length: > 0 })
            .Select(f => new CheckpointEntry(f.Name, f.File!.Length, f.File.LastWriteTimeUtc.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new DateTimeOffset(f.File.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(entries);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(File.OpenRead(Path.Combine(folder, key)));

    public async Task<byte[]?> ReadSideFileAsync(string key, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, key + ".json");
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
    }
}

public sealed class BlobCheckpointSource(BlobContainerClient container, string prefix) : ICheckpointSource
{
    public string Description => $"blob container {container.Name}, prefix '{prefix}'";

    public async Task<IReadOnlyList<CheckpointEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<CheckpointEntry>();
        if (!await container.ExistsAsync(cancellationToken)) return entries;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            var name = blob.Name[prefix.Length..];
            if (name.Contains('/') || !CheckpointSources.IsCheckpointName(name)) continue;
            entries.Add(new CheckpointEntry(name, blob.Properties.ContentLength ?? 0, blob.Properties.ETag?.ToString() ?? "",
                blob.Properties.LastModified ?? DateTimeOffset.MinValue));
        }
        return entries;
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        (await container.GetBlobClient(prefix + key).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;

    public async Task<byte[]?> ReadSideFileAsync(string key, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(prefix + key + ".json");
        if (!await blob.ExistsAsync(cancellationToken)) return null;
        return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
    }
}
