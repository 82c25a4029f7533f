using Atlas.Storage;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>
/// A real store passed through, for tests that watch or break one of its operations (a recording store, deletes cut
/// short) and leave the rest to the real thing.
/// </summary>
internal abstract class ForwardingStore(IArtifactStore inner) : IArtifactStore
{
    public string Description => inner.Description;
    public virtual Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, contentType, cancellationToken);
    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);
    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
    public Task<bool> CopyAsync(string fromKey, string toKey, string contentType, CancellationToken cancellationToken = default) => inner.CopyAsync(fromKey, toKey, contentType, cancellationToken);
    public string? LocalFile(string key) => inner.LocalFile(key);
    public Task<IReadOnlyDictionary<string, byte[]>?> ContentHashesAsync(string prefix, CancellationToken cancellationToken = default) => inner.ContentHashesAsync(prefix, cancellationToken);
}
