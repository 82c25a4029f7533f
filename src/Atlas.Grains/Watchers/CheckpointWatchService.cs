using System.Collections.Concurrent;
using System.Security.Cryptography;
using Atlas.Core.Configuration;
using Atlas.Core.Models.Checkpoints;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Watchers;

/// <summary>A listed checkpoint's content hash, or why it is not hashed yet (it looks unfinished).</summary>
public sealed record CheckpointDigest(string? Sha256, string? Unfinished);

/// <summary>
/// The I/O a watcher grain needs, run off the grain's scheduler: listing and hashing the source (a
/// checkpoint can be hundreds of MB), preparing a checkpoint (<see cref="CheckpointPreparer"/>), and the
/// store look-ups of publication and retention.
/// </summary>
public sealed class CheckpointWatchService(CheckpointPreparer preparer, ILogger<CheckpointWatchService> logger)
{
    private readonly ConcurrentDictionary<string, IArtifactStore> stores = new();

    public IArtifactStore Store(string location) =>
        stores.GetOrAdd(location, l => ArtifactStores.OpenResilient(l, logger));

    public Task<IReadOnlyList<CheckpointEntry>> ListAsync(string source, CancellationToken cancellationToken) =>
        Task.Run(() => CheckpointSources.Open(source).ListAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// The SHA-256 of a checkpoint's content, the identity of the atlas version it makes; or, when
    /// <paramref name="checkWhole"/> and the file looks cut short, why (a trainer is still writing it).
    /// Only a folder's files are checked: a blob becomes visible whole, when its upload commits.
    /// </summary>
    public Task<CheckpointDigest> DigestAsync(string source, string key, bool checkWhole, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        await using var stream = await CheckpointSources.Open(source).OpenReadAsync(key, cancellationToken);
        if (checkWhole && stream.CanSeek)
        {
            if (CheckpointCompleteness.Unfinished(stream) is { } why) return new CheckpointDigest(null, why);
            stream.Position = 0;
        }
        return new CheckpointDigest(Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken)), null);
    }, cancellationToken);

    public Task<PreparedCheckpoint> PrepareAsync(AtlasConfig config, string key, string sha256, CancellationToken cancellationToken) =>
        Task.Run(() => preparer.PrepareAsync(config, CheckpointSources.Open(config.Watch!.Source), Store(config.Output.Store), key, sha256, cancellationToken), cancellationToken);

    public Task<bool> IsPublishedAsync(AtlasConfig config, string version, CancellationToken cancellationToken) =>
        Task.Run(() => StoreAtlases.IsFinishedAsync(Store(config.Output.Store), new AtlasKeys(config.Name, version), cancellationToken), cancellationToken);

    /// <summary>Whether retention deleted this version before (it is not computed again).</summary>
    public Task<bool> IsRetiredAsync(AtlasConfig config, string version, CancellationToken cancellationToken) =>
        Task.Run(() => Store(config.Output.Store).ExistsAsync(new WatchKeys(config.Name, version).Retired, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<string>> ApplyRetentionAsync(AtlasConfig config, CancellationToken cancellationToken) =>
        Task.Run(() => VersionRetention.ApplyAsync(Store(config.Output.Store), config.Name, config.Watch!.KeepVersions, cancellationToken), cancellationToken);
}
