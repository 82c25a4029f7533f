using System.Globalization;
using Atlas.Storage.Manifests;
using Serilog;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// The model's accuracy on the atlas's own data set, said at the end of a run: a wrong normalization, input size or
/// class order gives an atlas that looks plausible and exits 0, and this figure is where it shows.
/// </summary>
internal static class AccuracyReport
{
    /// <param name="subject">How the lines start: "Accuracy", or "Version V: accuracy".</param>
    public static void Log(AtlasManifest manifest, string subject, ILogger logger)
    {
        // An atlas made before the count existed has none; nothing to say about it.
        if (manifest.Accuracy is not { } accuracy) return;
        if (accuracy.Fraction() is not { } fraction)
        {
            logger.Information("{Subject:l} on the data set: not measured ({Reason})", subject, accuracy.NotMeasured);
            return;
        }
        logger.Information("{Subject:l} on the data set: {Accuracy} of {Images} images", subject, Percent(fraction), accuracy.Images.ToString("N0", CultureInfo.InvariantCulture));
        int classes = manifest.Dataset.ClassNames.Count;
        if (accuracy.BelowTwiceChance(classes))
            logger.Warning("{Subject:l} on the data set ({Accuracy}) is below twice chance ({Chance} for {Classes} classes): the model is probably not " +
                           "fed as it was trained. Check model.mean/model.std (left out, they are the architecture's: ImageNet's for the TorchVision networks, " +
                           "Fashion-MNIST's for the demo CNN, none for TorchScript), model.inputSize/dataset.imageSize, " +
                           "and the class order (an image folder's classes are its sorted folder names, as torchvision's ImageFolder)",
                subject, Percent(fraction), Percent(DatasetAccuracy.TwiceChance(classes)), classes);
    }

    private static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.0} %");
}
