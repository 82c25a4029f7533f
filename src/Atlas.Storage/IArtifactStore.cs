namespace Atlas.Storage;

/// <summary>
/// Where atlas artifacts (images, unit manifests, atlas manifests) live. Keys are '/'-separated
/// relative paths checked by <see cref="ArtifactKey"/>; writes are whole-object and idempotent
/// (writing the same key twice leaves the last content), so a unit re-run after a crash simply
/// overwrites what it wrote before.
/// </summary>
public interface IArtifactStore
{
    /// <summary>A short human description ("folder /x/y", "blob container z at http://…") for logs.</summary>
    string Description { get; }

    Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>The object's bytes, or null when the key does not exist.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every key that starts with <paramref name="prefix"/> (a folder-like prefix ending in '/' or empty), in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts the object at <paramref name="fromKey"/> at <paramref name="toKey"/> too (a watched version reusing an older
    /// one's pictures); false when <paramref name="fromKey"/> does not exist. A local folder links rather than copies,
    /// and a blob container has the service copy.
    /// </summary>
    Task<bool> CopyAsync(string fromKey, string toKey, string contentType, CancellationToken cancellationToken = default);

    /// <summary>
    /// The file that holds <paramref name="key"/> where the store is a folder on this machine (it may not exist), else
    /// null. Such a file is replaced by a rename and never rewritten in place, so a hard link to it keeps its bytes.
    /// </summary>
    string? LocalFile(string key);

    /// <summary>
    /// The MD5 of every object under <paramref name="prefix"/> that the store records beside it (a blob's Content-MD5),
    /// by key, read without reading the objects; null where the store records none (a folder, whose files a reader can
    /// link instead). A key whose object has no recorded hash is left out. Lets a site that already holds an image
    /// tell it is still the store's without downloading it.
    /// </summary>
    Task<IReadOnlyDictionary<string, byte[]>?> ContentHashesAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>A copy whose bytes pass through this process: a get, then a put. What a store does where it cannot do better.</summary>
    static async Task<bool> CopyThroughAsync(IArtifactStore store, string fromKey, string toKey, string contentType, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(fromKey, cancellationToken) is not { } content) return false;
        await store.PutAsync(toKey, content, contentType, cancellationToken);
        return true;
    }

    /// <summary>Removes the key; a missing key is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
