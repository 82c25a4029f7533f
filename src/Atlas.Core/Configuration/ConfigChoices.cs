namespace Atlas.Core.Configuration;

/// <summary>
/// The fields that take one of a few words match them without regard to case, as field names do ("heatmaps": "All"). The
/// word's own spelling is kept, so that the code that reads the field and the config digest see one spelling of it; a
/// word that is none of them is left as written for validation to refuse, naming the choices.
/// </summary>
internal static class ConfigChoices
{
    public static AtlasConfig Canonical(AtlasConfig c) => c with
    {
        Dataset = c.Dataset with
        {
            Kind = Choice(c.Dataset.Kind, "fashion-mnist", "idx", "image-folder"),
            Split = Choice(c.Dataset.Split, "train", "test"),
        },
        Model = c.Model with
        {
            MemoryFormat = Choice(c.Model.MemoryFormat, "auto", "contiguous", "channelsLast"),
            MaxPoolBackward = Choice(c.Model.MaxPoolBackward, "auto", "native", "scatter"),
            BranchConvolutions = Choice(c.Model.BranchConvolutions, "auto", "merged", "separate"),
            InputConvolution = Choice(c.Model.InputConvolution, "auto", "native", "spaceToDepth"),
        },
        FeatureVis = c.FeatureVis with
        {
            Parameterization = Choice(c.FeatureVis.Parameterization, "fourier", "pixel"),
            Precision = Choice(c.FeatureVis.Precision, "auto", "float32", "bfloat16"),
        },
        Examples = c.Examples with
        {
            Precision = Choice(c.Examples.Precision, "auto", "float32", "float16", "bfloat16"),
            Heatmaps = Choice(c.Examples.Heatmaps, "classes", "all", "none"),
        },
    };

    private static string Choice(string value, params string[] choices) =>
        choices.FirstOrDefault(choice => string.Equals(choice, value, StringComparison.OrdinalIgnoreCase)) ?? value;
}
