using Atlas.Core.Configuration;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Serilog;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// The title is the config's only field that changes no result (the run fingerprint leaves it out), so a finished
/// atlas is not recomputed for it; but its site must still show the title the config now gives, which only the
/// stored manifest carries to the site.
/// </summary>
internal static class StoredTitle
{
    public static async Task RefreshAsync(IArtifactStore store, AtlasKeys keys, AtlasConfig config, ILogger logger, CancellationToken cancellationToken)
    {
        var title = config.Title ?? config.Name;
        if (await store.GetJsonAsync<AtlasManifest>(keys.Manifest, cancellationToken) is not { } manifest || manifest.Title == title) return;
        await store.PutJsonAsync(keys.Manifest, manifest with { Title = title }, cancellationToken);
        logger.Information("Retitled the stored atlas '{Title}' (was '{Before}'); nothing else changes", title, manifest.Title);
    }
}
