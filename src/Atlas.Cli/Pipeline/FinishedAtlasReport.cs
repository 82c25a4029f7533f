using Atlas.Storage;
using Atlas.Storage.Manifests;
using Serilog;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// The lines a finished atlas ends with, read from its manifest: the model's accuracy on the data set
/// (<see cref="AccuracyReport"/>) and the active units whose pictures stayed flat (<see cref="FlatPictureReport"/>). Both
/// are signs of an atlas that exits 0 yet is not what its user wanted.
/// </summary>
internal static class FinishedAtlasReport
{
    /// <param name="ofVersion">
    /// Whether the lines name the version: a watcher says them once per checkpoint, and a reader comparing checkpoints
    /// needs to tell them apart; `run` and `submit` make one version and have named it already.
    /// </param>
    public static async Task LogAsync(IArtifactStore store, AtlasKeys keys, ILogger logger, CancellationToken cancellationToken, bool ofVersion = false)
    {
        if (await store.GetJsonAsync<AtlasManifest>(keys.Manifest, cancellationToken) is not { } manifest) return;
        AccuracyReport.Log(manifest, ofVersion ? $"Version {keys.Version}: accuracy" : "Accuracy", logger);
        FlatPictureReport.Log(manifest, ofVersion ? $"Version {keys.Version}: pictures" : "Pictures", logger);
    }
}
