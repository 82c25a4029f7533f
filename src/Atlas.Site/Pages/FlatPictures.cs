using System.Globalization;
using Atlas.Site.Html;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Pages;

/// <summary>
/// A unit that data set images activate but whose main picture stayed nearly flat: its optimisation found little to
/// climb (too few steps, a vanishing gradient), so the picture shows nothing of what the unit answers. The pages say so,
/// so that a reader does not take grey noise for the unit's feature. Units the data set never activates are marked as
/// such elsewhere (<see cref="TiedExamples"/>) and are not counted here.
/// </summary>
internal static class FlatPictures
{
    /// <summary>
    /// Pixel spread (<see cref="VisArtifact.Contrast"/>) below which a picture counts as flat: well above the starting
    /// noise, well below a drawn picture. Measured here after one step (the noise): 0.019–0.023 for the demo's units,
    /// 0.015–0.016 for GoogLeNet's inception4a; drawn: 0.20–0.24 for demo conv1 after 48 steps (FlatPictureRunTests
    /// prints them when it fails), 0.24–0.48 for the demo's layers after 256, 0.12–0.20 for inception4a after only 64
    /// (by hand, `atlas run` on the fixture checkpoint).
    /// </summary>
    public const double FlatBelow = 0.05;

    /// <summary>The unit's main picture when it is flat while the data set activates the unit; otherwise null.</summary>
    public static VisArtifact? FlatMain(UnitManifest unit) =>
        unit.Visualizations.FirstOrDefault(v => v.Key == unit.VisKey) is { Contrast: < FlatBelow } main && Format.MaxActivation(unit) > 0
            ? main
            : null;

    /// <summary>Whether any picture of the atlas has its contrast measured (manifests before it was kept have none).</summary>
    public static bool Measured(IEnumerable<UnitManifest> units) => units.Any(u => u.Visualizations.Any(v => v.Contrast is not null));

    public static string Explanation(VisArtifact flat) => string.Create(CultureInfo.InvariantCulture,
        $"Nearly flat picture (pixel spread {flat.Contrast:0.###}) of a unit the data set activates: its optimisation found little to climb, so it shows little of the unit. More featureVis.steps may draw it; its top images show what it answers.");
}
