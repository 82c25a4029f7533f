using System.Text.Json;
using System.Text.Json.Serialization;
using Atlas.Core.Models.TorchScript;

namespace Atlas.Core.Configuration;

/// <summary>Reads, validates and path-resolves a config; every problem is one line naming the file and field.</summary>
public static class AtlasConfigLoader
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        RespectRequiredConstructorParameters = true,
        // A field written as null where the config needs a value is refused here, naming it, rather than
        // reaching the code that uses it as a null.
        RespectNullableAnnotations = true,
        // Strict where the web defaults are lenient: a field given twice (or in two casings) and a number
        // written as a string are mistakes, not choices.
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static AtlasConfig Load(string path)
    {
        if (!File.Exists(path)) throw new AtlasInputException($"{path}: config file not found");
        AtlasConfig? config;
        var json = File.ReadAllText(path);
        try
        {
            config = JsonSerializer.Deserialize<AtlasConfig>(json, Options);
        }
        catch (JsonException e) when (e.Message.Contains("doesn't allow setting null values", StringComparison.Ordinal) && e.Path is { Length: > 2 } field)
        {
            throw new AtlasInputException($"{path}: {field[2..]}: must not be null (give it a value, or leave it out where it has a default)", e);
        }
        catch (JsonException e)
        {
            throw new AtlasInputException($"{path}: {ConfigJsonErrors.Describe(e, json, Options)}", e);
        }
        if (config is null) throw new AtlasInputException($"{path}: config is empty");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Validate(WithModelInput(Resolve(ConfigChoices.Canonical(config), folder)), path);
    }

    public static string Serialize(AtlasConfig config) => JsonSerializer.Serialize(config, Options);

    public static AtlasConfig Deserialize(string json) =>
        JsonSerializer.Deserialize<AtlasConfig>(json, Options) ?? throw new InvalidDataException("empty config json");

    private static AtlasConfig Resolve(AtlasConfig c, string folder) => c with
    {
        Model = c.Model with { Checkpoint = Absolute(folder, c.Model.Checkpoint), CheckpointAsWritten = c.Model.Checkpoint },
        Dataset = c.Dataset with
        {
            Path = Absolute(folder, c.Dataset.Path),
            PixelCache = string.IsNullOrWhiteSpace(c.Dataset.PixelCache) ? null : Absolute(folder, c.Dataset.PixelCache),
        },
        Output = c.Output with
        {
            Store = c.Output.Store.Contains("://", StringComparison.Ordinal) ? c.Output.Store : Absolute(folder, c.Output.Store),
            Site = Absolute(folder, c.Output.Site),
        },
        Watch = c.Watch is { } w && !string.IsNullOrWhiteSpace(w.Source) && !w.Source.Contains("://", StringComparison.Ordinal)
            ? w with { Source = Absolute(folder, w.Source) }
            : c.Watch,
    };

    /// <summary>
    /// Fills the dataset's image size and channel count from the model's input convention, so a dataset
    /// can be opened (and resized to fit) without loading the model. An unknown architecture is left
    /// for the model loader to report.
    /// </summary>
    private static AtlasConfig WithModelInput(AtlasConfig c)
    {
        if (TorchScriptInput.Is(c.Model.Architecture))
        {
            // Values out of range are left for Validate to report under the model's field names.
            return c.Model.InputSize is >= 16 and <= 4096 && c.Model.InputChannels is null or 1 or 3
                ? c with { Dataset = c.Dataset with { ImageSize = c.Dataset.ImageSize ?? c.Model.InputSize, Channels = c.Dataset.Channels ?? c.Model.InputChannels ?? TorchScriptInput.DefaultChannels } }
                : c;
        }
        var architecture = Models.ModelZoo.Find(c.Model.Architecture);
        // Sizes the architecture cannot take are left for Validate to report with the file name.
        if (architecture is null || c.Model.InputSize is < 16 or > 4096 || (!architecture.ResizableInput && c.Model.InputSize is { } size && size != architecture.Input.Height))
            return c;
        var input = architecture.InputFor(c.Model.InputSize);
        return c with
        {
            Dataset = c.Dataset with
            {
                ImageSize = c.Dataset.ImageSize ?? input.Height,
                Channels = c.Dataset.Channels ?? input.Channels,
            },
        };
    }

    private static string Absolute(string folder, string path) => Path.GetFullPath(Path.Combine(folder, path));

    private static AtlasConfig Validate(AtlasConfig c, string file)
    {
        void Require(bool ok, string field, string problem)
        {
            if (!ok) throw new AtlasInputException($"{file}: {field}: {problem}");
        }
        void Choose(string value, string[] choices, string field) =>
            Require(choices.Contains(value), field, $"'{value}' is not {ConfigChoices.Listed(choices)}");
        Require(!string.IsNullOrWhiteSpace(c.Name) && c.Name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'),
            "name", "must be letters, digits, '-', '_' or '.'");
        // The name is a folder of the store and the site: "." or ".." would be another folder's, and the store
        // keeps key segments to 100 characters.
        Require(c.Name is null || (c.Name.Length <= 100 && c.Name.Length > 0 && char.IsAsciiLetterOrDigit(c.Name[0])),
            "name", "must start with a letter or digit and be at most 100 characters");
        // The site root's own entries (Atlas.Site's SitePath.RootEntries): an atlas folder by that name would replace them.
        Require(c.Name is null || !(c.Name.Equals("index.html", StringComparison.OrdinalIgnoreCase) || c.Name.Equals("assets", StringComparison.OrdinalIgnoreCase)),
            "name", $"'{c.Name}' is the name of the site's own {(c.Name?.Contains('.') == true ? "home page" : "folder of styles and scripts")}; choose another");
        // The title heads every page: blank, it leaves the home page's only link to the atlas invisible; control
        // characters (NUL, ESC) would be written into the HTML as they are.
        Require(c.Title is null || !string.IsNullOrWhiteSpace(c.Title), "title", "is blank (leave it out to use the name)");
        Require(c.Title is null || !c.Title.Any(char.IsControl), "title", "holds a control character (a tab, newline, NUL or escape); write it on one line of text");
        Require(!string.IsNullOrWhiteSpace(c.Model.Architecture), "model.architecture", "is required");
        // An empty list reads as "no layers", not as "every layer", which is what leaving it out means.
        Require(c.Layers is not { Count: 0 }, "layers", "is empty (leave it out for every layer)");
        // Here, with the file named, rather than when the network is built: that comes after the checkpoint is found,
        // so a zoo config's placeholder checkpoint hid a misspelt architecture until the weights were in place.
        Require(TorchScriptInput.Is(c.Model.Architecture) || Models.ModelZoo.Find(c.Model.Architecture) is not null, "model.architecture",
            Models.ModelZoo.Unknown(c.Model.Architecture));
        Require(c.Model.Train is null || Models.ModelZoo.Find(c.Model.Architecture)?.Name == Models.DemoCnn.ArchitectureName, "model.train",
            $"only the '{Models.DemoCnn.ArchitectureName}' architecture can be trained here");
        Require(ConfigChoices.DatasetKinds.Contains(c.Dataset.Kind), "dataset.kind", $"'{c.Dataset.Kind}' is not one of {string.Join(", ", ConfigChoices.DatasetKinds)}");
        Choose(c.Dataset.Split, ConfigChoices.Splits, "dataset.split");
        Require(c.Dataset.Limit is null or > 0, "dataset.limit", "must be positive");
        Require(c.Dataset.Sample is null or > 0, "dataset.sample", "must be positive");
        Require(c.Dataset.Sample is null || c.Dataset.Kind == "image-folder", "dataset.sample",
            "only image-folder data sets are sampled (their files are listed class by class; use dataset.limit for IDX files)");
        Require(c.Dataset.Sample is null || c.Dataset.Limit is null, "dataset.sample", "cannot be combined with dataset.limit (choose one)");
        Require(c.Dataset.ImageSize is null or (>= 8 and <= 4096), "dataset.imageSize", "must be between 8 and 4096");
        Require(c.Dataset.Channels is null or 1 or 3, "dataset.channels", "must be 1 or 3");
        // The model's first convolution fixes its input's channels: grey images for a colour model (or the reverse) fail every dataset unit.
        if (Models.ModelZoo.Find(c.Model.Architecture) is { } architecture)
            Require(c.Dataset.Channels is null || c.Dataset.Channels == architecture.Input.Channels, "dataset.channels",
                $"model '{c.Model.Architecture}' takes {architecture.Input.Channels}-channel images, not {c.Dataset.Channels} (leave it out to follow the model)");
        Require(c.Dataset.PixelCache is null || c.Dataset.Kind == "image-folder", "dataset.pixelCache",
            $"only image-folder data sets are decoded ({c.Dataset.Kind} images are read as bytes already)");
        Require(c.Dataset.ReducedScaleDecode || c.Dataset.Kind == "image-folder", "dataset.reducedScaleDecode",
            $"only image-folder data sets are decoded ({c.Dataset.Kind} images are read as bytes already)");
        Require(c.Dataset.ResizeShorterSide is null || c.Dataset.ResizeShorterSide >= (c.Dataset.ImageSize ?? 1),
            "dataset.resizeShorterSide", "must be at least dataset.imageSize (the crop is taken from the resized image)");
        Require(c.Model.InputSize is null or (>= 16 and <= 4096), "model.inputSize", "must be between 16 and 4096");
        if (Models.ModelZoo.Find(c.Model.Architecture) is { ResizableInput: false } fixedSize)
            Require(c.Model.InputSize is null || c.Model.InputSize == fixedSize.Input.Height, "model.inputSize",
                $"{fixedSize.Name} takes {fixedSize.Input.Height}×{fixedSize.Input.Width} inputs only");
        Require(c.Model.TransformInput is not true || Models.ModelZoo.Find(c.Model.Architecture)?.Name is "googlenet" or "inception_v3",
            "model.transformInput", "only the googlenet and inception_v3 architectures have this option");
        if (TorchScriptInput.Is(c.Model.Architecture))
        {
            TorchScriptModelRules.Check(c, Require);
            const string archiveHasNone = "only zoo architectures take this (a TorchScript archive is one network, not a state dict)";
            Require(c.Model.CheckpointEntry is null, "model.checkpointEntry", archiveHasNone);
            Require(c.Model.KeyPrefix is null, "model.keyPrefix", archiveHasNone);
        }
        else
        {
            const string zooHasItsOwn = "only torchscript models take this (a zoo architecture has its own layers and input convention)";
            Require(c.Model.CheckpointEntry is null || c.Model.CheckpointEntry.Length > 0, "model.checkpointEntry", "must not be empty (leave it out to find the state dict)");
            Require(c.Model.Outputs is null, "model.outputs", zooHasItsOwn);
            Require(c.Model.PreActivations is null, "model.preActivations", zooHasItsOwn);
            Require(c.Model.InputChannels is null, "model.inputChannels", zooHasItsOwn);
            if (Models.ModelZoo.Find(c.Model.Architecture) is { } zoo) NormalizationRules.Check(c.Model, zoo.Input.Channels, Require);
            // TorchVision's transform_input re-maps inputs normalized with ImageNet's statistics, which these replace.
            Require(c.Model.TransformInput is not true || (c.Model.Mean is null && c.Model.Std is null), "model.transformInput",
                "cannot be combined with model.mean or model.std (it assumes ImageNet's mean and std)");
        }
        Choose(c.Model.MemoryFormat, ConfigChoices.MemoryFormats, "model.memoryFormat");
        Choose(c.Model.MaxPoolBackward, ConfigChoices.MaxPoolBackwards, "model.maxPoolBackward");
        Choose(c.Model.BranchConvolutions, ConfigChoices.BranchConvolutions, "model.branchConvolutions");
        // As transformInput: a switch that does nothing for this network should not look as if it did something.
        Require(c.Model.BranchConvolutions == "auto" || Models.ModelZoo.Find(c.Model.Architecture)?.Name == "googlenet", "model.branchConvolutions",
            "only the googlenet architecture has this option (its Inception blocks' 1×1 convolutions); leave it out or set auto");
        Choose(c.Model.InputConvolution, ConfigChoices.InputConvolutions, "model.inputConvolution");
        Require(c.MaxUnitsPerLayer is null or > 0, "maxUnitsPerLayer", "must be positive");
        Require(c.FeatureVis.Steps is > 0 and <= 100_000, "featureVis.steps", "must be between 1 and 100000");
        Require(c.FeatureVis.LearningRate > 0 && double.IsFinite(c.FeatureVis.LearningRate), "featureVis.learningRate", "must be a finite positive number");
        Require(c.FeatureVis.Jitter >= 0, "featureVis.jitter", "must not be negative");
        Require(c.FeatureVis.ChannelsPerUnit is null or (> 0 and <= 4096), "featureVis.channelsPerUnit", "must be between 1 and 4096");
        Require(c.FeatureVis.ImageSize is null or (>= 8 and <= 2048), "featureVis.imageSize", "must be between 8 and 2048");
        Choose(c.FeatureVis.Parameterization, ConfigChoices.Parameterizations, "featureVis.parameterization");
        Require(c.FeatureVis.DiversityCount is >= 2 and <= 64, "featureVis.diversityCount", "must be between 2 and 64");
        Require(c.FeatureVis.DiversityWeight >= 0 && double.IsFinite(c.FeatureVis.DiversityWeight), "featureVis.diversityWeight", "must be a finite number, not negative");
        Choose(c.FeatureVis.Precision, ConfigChoices.RenderPrecisions, "featureVis.precision");
        Require(c.FeatureVis.MaxBatch is null or (>= 1 and <= 65_536), "featureVis.maxBatch", "must be between 1 and 65536");
        Require(c.FeatureVis.Channel || c.FeatureVis.Negative || c.FeatureVis.Neuron || c.FeatureVis.Diversity, "featureVis",
            "channel, negative, neuron and diversity are all off: nothing to render");
        Require(c.Examples.TopK is > 0 and <= 100, "examples.topK", "must be between 1 and 100");
        Require(c.Examples.BatchSize is null or > 0, "examples.batchSize", "must be positive (or null: sized from the device's memory)");
        Require(c.Examples.ImagesPerShard > 0, "examples.imagesPerShard", "must be positive");
        Choose(c.Examples.Precision, ConfigChoices.ScanPrecisions, "examples.precision");
        Choose(c.Examples.Heatmaps, ConfigChoices.Heatmaps, "examples.heatmaps");
        if (c.Watch is { } watch)
        {
            Require(!string.IsNullOrWhiteSpace(watch.Source), "watch.source", "is required (a folder, file:///folder or azure-blob://container/prefix)");
            Require(!watch.Source.Contains("://", StringComparison.Ordinal) || watch.Source.StartsWith("azure-blob://", StringComparison.OrdinalIgnoreCase)
                    || watch.Source.StartsWith("file://", StringComparison.OrdinalIgnoreCase),
                "watch.source", $"'{watch.Source}' is not a folder, file:///folder or azure-blob://container/prefix");
            // The cron syntax itself is checked where it is parsed (the watcher), with the same one-line form.
            Require(!string.IsNullOrWhiteSpace(watch.Schedule), "watch.schedule", "is required: a cron expression or \"on-arrival\"");
            Require(watch.KeepVersions is >= 1 and <= 1000, "watch.keepVersions", "must be between 1 and 1000");
        }
        if (c.Model.Train is { } t)
        {
            Require(t.Epochs > 0, "model.train.epochs", "must be positive");
            Require(t.BatchSize > 0, "model.train.batchSize", "must be positive");
            Require(t.LearningRate > 0 && double.IsFinite(t.LearningRate), "model.train.learningRate", "must be a finite positive number");
            Require(t.MinTestAccuracy is null or (>= 0 and <= 1), "model.train.minTestAccuracy", "must be between 0 and 1");
            Require(t.MaxImages is null or > 0, "model.train.maxImages", "must be positive");
        }
        return c;
    }
}
