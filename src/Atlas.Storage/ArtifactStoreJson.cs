using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atlas.Storage;

/// <summary>JSON reading and writing of manifests, with one set of serializer options for every writer and reader.</summary>
public static class ArtifactStoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Task PutJsonAsync<T>(this IArtifactStore store, string key, T value, CancellationToken cancellationToken = default) =>
        store.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, Options), "application/json", cancellationToken);

    /// <summary>The deserialized object, or default when the key is missing.</summary>
    public static async Task<T?> GetJsonAsync<T>(this IArtifactStore store, string key, CancellationToken cancellationToken = default)
    {
        var bytes = await store.GetAsync(key, cancellationToken);
        if (bytes is null) return default;
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options);
        }
        catch (JsonException e)
        {
            throw new CorruptArtifactException($"{store.Description}: '{key}' is not a valid {typeof(T).Name} ({e.Message.Split('\n')[0].Trim()}); delete it, or the version it belongs to, and run again", e);
        }
    }
}

/// <summary>An object in the store that cannot be read as what its key says it is (a damaged or hand-edited manifest): the store's owner has to mend it.</summary>
public sealed class CorruptArtifactException(string message, Exception inner) : Exception(message, inner);
