using System.Globalization;
using Atlas.Storage.Manifests;
using Serilog;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// Active units whose main picture stayed nearly flat (<see cref="UnitManifest.FlatMainPicture"/>), said at the end of a
/// run: too few featureVis.steps leaves pictures at their starting noise, an atlas that exits 0 yet shows grey squares.
/// </summary>
internal static class FlatPictureReport
{
    /// <param name="subject">How the line starts: "Pictures", or "Version V: pictures".</param>
    public static void Log(AtlasManifest manifest, string subject, ILogger logger)
    {
        var perLayer = manifest.Layers
            .Select(l => (l.Name, Flat: l.Units.Count(u => u.FlatMainPicture() is not null)))
            .Where(l => l.Flat > 0)
            .ToList();
        if (perLayer.Count == 0) return;
        var active = manifest.Layers.Sum(l => l.Units.Count(u => u.ActiveOnData()));
        logger.Warning("{Subject:l}: {Flat} of {Active} active units kept a nearly flat picture (pixel spread under {Below}; {Layers}): " +
                       "they show nothing of their units; more featureVis.steps (this atlas: {Steps}) may draw them",
            subject, perLayer.Sum(l => l.Flat), active, VisArtifact.FlatBelow.ToString(CultureInfo.InvariantCulture),
            string.Join(", ", perLayer.Select(l => $"{l.Name}: {l.Flat}")), manifest.Recipe.Steps);
    }
}
