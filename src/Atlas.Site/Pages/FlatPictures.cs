using System.Globalization;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Pages;

/// <summary>
/// A unit that data set images activate but whose main picture stayed nearly flat: its optimisation found little to
/// climb (too few steps, a vanishing gradient), so the picture shows nothing of what the unit answers. The pages say so,
/// so that a reader does not take grey noise for the unit's feature. Units the data set never activates are marked as
/// such elsewhere (<see cref="TiedExamples"/>) and are not counted here (<see cref="UnitManifest.FlatMainPicture"/>).
/// </summary>
internal static class FlatPictures
{
    /// <summary>Whether any picture of the atlas has its contrast measured (manifests before it was kept have none).</summary>
    public static bool Measured(IEnumerable<UnitManifest> units) => units.Any(u => u.Visualizations.Any(v => v.Contrast is not null));

    public static string Explanation(VisArtifact flat) => string.Create(CultureInfo.InvariantCulture,
        $"Nearly flat picture (pixel spread {flat.Contrast:0.###}) of a unit the data set activates: its optimisation found little to climb, so it shows little of the unit. More featureVis.steps may draw it; its top images show what it answers.");
}
