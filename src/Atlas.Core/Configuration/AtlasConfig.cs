namespace Atlas.Core.Configuration;

/// <summary>
/// An atlas job as a user writes it (see docs/config-reference.md). Relative paths are resolved
/// against the config file's folder by <see cref="AtlasConfigLoader"/>, so a loaded config holds
/// absolute paths only and can be shipped to a worker as it is.
/// </summary>
public sealed record AtlasConfig
{
    public required string Name { get; init; }
    public string? Title { get; init; }
    public required ModelConfig Model { get; init; }
    public required DatasetConfig Dataset { get; init; }
    /// <summary>Atlas layers; empty or absent means every layer of the model.</summary>
    public IReadOnlyList<string>? Layers { get; init; }
    /// <summary>Limits how many units of each layer are rendered (null = all); for quick trials and tests.</summary>
    public int? MaxUnitsPerLayer { get; init; }
    public FeatureVisConfig FeatureVis { get; init; } = new();
    public ExamplesConfig Examples { get; init; } = new();
    public OutputConfig Output { get; init; } = new();
    /// <summary>Optional: where new checkpoints appear and when to look (used by `atlas watch` and cluster watchers).</summary>
    public WatchConfig? Watch { get; init; }
}

public sealed record ModelConfig
{
    public required string Architecture { get; init; }
    public required string Checkpoint { get; init; }
    /// <summary>
    /// <see cref="Checkpoint"/> as the config file gives it, before the loader makes it absolute: an error about a
    /// missing checkpoint explains where a relative path is read from only when it was relative. Not part of the JSON.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? CheckpointAsWritten { get; init; }
    /// <summary>When present and the checkpoint is missing, the model is trained first (demo models only).</summary>
    public TrainConfig? Train { get; init; }
    /// <summary>
    /// Zoo architectures: the top-level entry of a PyTorch training checkpoint that holds the state dict to load (timm's
    /// "state_dict_ema", say); null = the first of "state_dict", "model_state_dict", "model", "module" and "net" that
    /// holds tensors, or the file itself.
    /// </summary>
    public string? CheckpointEntry { get; init; }
    /// <summary>
    /// Zoo architectures: the prefix the network's keys are saved under ("model.", "ema."; "" for none); null = found
    /// from where the logits weight lies (<see cref="Models.Checkpoints.StateDictPrefix"/>).
    /// </summary>
    public string? KeyPrefix { get; init; }
    /// <summary>Square input side in pixels; null = the architecture's own (224 for the ImageNet zoo, 28 for the demo).</summary>
    public int? InputSize { get; init; }
    /// <summary>
    /// GoogLeNet only: TorchVision's <c>transform_input</c>. TorchVision's own pretrained ImageNet weights
    /// expect it on; checkpoints trained with plain ImageNet normalization expect it off (the default).
    /// </summary>
    public bool? TransformInput { get; init; }
    /// <summary>
    /// How the network stores its convolution weights, and so its activations, in every pass: "auto"
    /// (channels-last, see <see cref="Models.ChannelsLast.For"/>), "contiguous" or "channelsLast".
    /// </summary>
    public string MemoryFormat { get; init; } = "auto";
    /// <summary>
    /// How max pools pass gradients back while rendering: "auto" (the scatter on a GPU, see
    /// <see cref="Models.MaxPoolGradient.For"/>), "native" (libtorch's backward kernel) or "scatter".
    /// </summary>
    public string MaxPoolBackward { get; init; } = "auto";
    /// <summary>
    /// Whether the working copies that render and scan run each GoogLeNet Inception block's three 1×1
    /// convolutions as one: "auto" (on a GPU in bfloat16, see <see cref="Models.InceptionMerging.For"/>), "merged" or "separate".
    /// </summary>
    public string BranchConvolutions { get; init; } = "auto";
    /// <summary>
    /// How the working copies compute the convolution that reads the image: "auto" (space to depth on a GPU,
    /// see <see cref="Models.InputConvolution.For"/>), "native" (the library's convolution) or "spaceToDepth".
    /// </summary>
    public string InputConvolution { get; init; } = "auto";
    /// <summary>
    /// TorchScript models only (<c>architecture: "torchscript"</c>): the names of the tensors the scripted
    /// forward returns, in order. They are the model's layers; the last is read as its logits.
    /// </summary>
    public IReadOnlyList<string>? Outputs { get; init; }
    /// <summary>
    /// TorchScript models only: for a layer whose output follows a ReLU, the output (also in <see cref="Outputs"/>) that
    /// holds its value before the ReLU. Those outputs are not layers themselves; the renderer reads them as the zoo models'
    /// pre-activations (negative pictures, and units dead at the start through the ReLU gradient override).
    /// </summary>
    public IReadOnlyDictionary<string, string>? PreActivations { get; init; }
    /// <summary>TorchScript models only: how many channels the input has (1 or 3; null = 3).</summary>
    public int? InputChannels { get; init; }
    /// <summary>
    /// Per-channel mean subtracted from [0,1] pixels before the network (null = the architecture's: ImageNet's for the
    /// TorchVision networks, none for a TorchScript one).
    /// </summary>
    public float[]? Mean { get; init; }
    /// <summary>Per-channel std that [0,1] pixels are divided by after the mean (null = the architecture's, as for <see cref="Mean"/>).</summary>
    public float[]? Std { get; init; }
}

public sealed record TrainConfig
{
    public int Epochs { get; init; } = 2;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.001;
    public int Seed { get; init; } = 7;
    /// <summary>Train on only the first N images (null = all); for tests.</summary>
    public int? MaxImages { get; init; }
    /// <summary>Training that ends below this test accuracy is an error (null = no check).</summary>
    public double? MinTestAccuracy { get; init; }
}

public sealed record DatasetConfig
{
    /// <summary>
    /// "fashion-mnist" (fetched on first use), "idx" (MNIST-style IDX files, plain or .gz, in Path) or
    /// "image-folder" (one subfolder of JPEG/PNG images per class, like torchvision's ImageFolder).
    /// </summary>
    public required string Kind { get; init; }
    public required string Path { get; init; }
    /// <summary>IDX kinds: which files to read ("train" or "test"). Not used by image-folder.</summary>
    public string Split { get; init; } = "test";
    /// <summary>Use only the first N images (null = all).</summary>
    public int? Limit { get; init; }
    /// <summary>
    /// Image folders: use N images spread evenly over the sorted list (every count/N-th), so that each class keeps its
    /// share, where <see cref="Limit"/> would take the first classes only (null = all).
    /// </summary>
    public int? Sample { get; init; }
    /// <summary>
    /// Side of the square images handed to the model; null = the model's input size, which the config
    /// loader fills in from the architecture. Images of another size are resized and center-cropped.
    /// </summary>
    public int? ImageSize { get; init; }
    /// <summary>Channels handed to the model (1 or 3); null = the model's, filled in like <see cref="ImageSize"/>.</summary>
    public int? Channels { get; init; }
    /// <summary>
    /// The shorter side is resized to this before the center crop to <see cref="ImageSize"/>; null =
    /// ImageSize × 256/224 (torchvision's ImageNet evaluation transform: resize 256, crop 224).
    /// </summary>
    public int? ResizeShorterSide { get; init; }
    /// <summary>
    /// image-folder only: a folder where decoded pixels are kept, so later passes over the same images read
    /// bytes instead of decoding photos (<see cref="Data.PixelCacheDataset"/>); null = decode every time.
    /// </summary>
    public string? PixelCache { get; init; }
    /// <summary>
    /// image-folder only: JPEG and WebP files at least twice the resize target are decoded at 1/2, 1/4 or 1/8 of
    /// their size (Pillow's "draft" mode does the same), much faster for large photos; false decodes every file
    /// whole, so every image matches torchvision's ImageFolder pipeline byte for byte.
    /// </summary>
    public bool ReducedScaleDecode { get; init; } = true;
}

public sealed record FeatureVisConfig
{
    public int Steps { get; init; } = 256;
    public double LearningRate { get; init; } = 0.05;
    public int Seed { get; init; } = 0;
    /// <summary>Pixels of random translation per step (Lucid's jitter), scaled for small inputs.</summary>
    public int Jitter { get; init; } = 2;
    /// <summary>
    /// How many channels one work unit renders in one batched optimisation; null sizes it for the device that
    /// plans the job (<see cref="Rendering.FeatureVisSettings.ChannelsPerUnit"/>).
    /// </summary>
    public int? ChannelsPerUnit { get; init; }
    /// <summary>Square picture side in pixels; null renders at the model's input size.</summary>
    public int? ImageSize { get; init; }
    /// <summary>"fourier" (Lucid's 1/f basis; colour decorrelation on RGB models) or "pixel".</summary>
    public string Parameterization { get; init; } = "fourier";
    /// <summary>Lucid's standard transforms (pad, jitter, scale, rotate, jitter) scaled to the image size; false uses <see cref="Jitter"/> alone.</summary>
    public bool Transforms { get; init; } = true;
    /// <summary>Lucid's ReLU gradient override at the target layer, so units dead on the starting noise still get a picture.</summary>
    public bool ReluGradientOverride { get; init; } = true;
    /// <summary>Render the positive channel picture (the unit's main picture).</summary>
    public bool Channel { get; init; } = true;
    /// <summary>Render the picture that drives the unit lowest.</summary>
    public bool Negative { get; init; } = true;
    /// <summary>Render the centre-neuron picture (spatial layers only).</summary>
    public bool Neuron { get; init; } = true;
    /// <summary>Render <see cref="DiversityCount"/> pictures optimised together with a Gram-matrix diversity penalty.</summary>
    public bool Diversity { get; init; } = true;
    public int DiversityCount { get; init; } = 4;
    /// <summary>
    /// Weight of the diversity penalty, relative to the unit's objective: the penalty is weighted by this
    /// times the objective's magnitude, so one number fits every layer (Lucid uses a fixed 100 on InceptionV1).
    /// </summary>
    public double DiversityWeight { get; init; } = 2;
    /// <summary>
    /// What the network computes in while rendering: "auto" (bfloat16 on a GPU, float32 on the CPU),
    /// "float32" or "bfloat16". The image parameters and the optimiser always stay float32.
    /// </summary>
    public string Precision { get; init; } = "auto";
    /// <summary>
    /// Most pictures in one optimisation; null sizes it from the device's free memory (GPU) or uses 512
    /// (CPU). A work unit's pictures that do not fit run as several optimisations.
    /// </summary>
    public int? MaxBatch { get; init; }
}

public sealed record ExamplesConfig
{
    public int TopK { get; init; } = 9;
    /// <summary>Images per forward pass; null sizes it from the device's memory (<see cref="Examples.ScanBatchSize"/>).</summary>
    public int? BatchSize { get; init; }
    public int ImagesPerShard { get; init; } = 2500;
    /// <summary>
    /// What the network computes in during the dataset pass: "auto" (float16 on a GPU, float32 on the CPU; see
    /// <see cref="Examples.ScanPrecision.For"/>), "float32" (rankings as the checkpoint's network gives them),
    /// "float16" or "bfloat16" (faster on a GPU; near-ties may swap places, more often in bfloat16).
    /// </summary>
    public string Precision { get; init; } = "auto";
    /// <summary>
    /// Which top examples get a heatmap overlay in the atlas: "classes" (the default: Grad-CAM of each class
    /// unit on its top images), "all" (also every spatial unit's own map on its top images: one picture per
    /// unit and example, so a large atlas grows by units × topK pictures) or "none".
    /// </summary>
    public string Heatmaps { get; init; } = "classes";
}

public sealed record OutputConfig
{
    /// <summary>Artifact store: a folder, or azure-blob://container (see the config reference).</summary>
    public string Store { get; init; } = "../data/store";
    /// <summary>Folder the static site is published into.</summary>
    public string Site { get; init; } = "../out/site";
}

/// <summary>
/// A checkpoint source to follow: every new checkpoint (by content hash) becomes a new atlas version.
/// </summary>
public sealed record WatchConfig
{
    /// <summary>A folder (relative to the config file) or azure-blob://container/prefix[?connection=ENV_VAR].</summary>
    public required string Source { get; init; }
    /// <summary>A cron expression (5 fields, or 6 with seconds; UTC) or "on-arrival" (look at every watcher tick).</summary>
    public string Schedule { get; init; } = OnArrival;
    /// <summary>How many versions of the atlas to keep in the store; older ones are deleted completely.</summary>
    public int KeepVersions { get; init; } = 5;

    public const string OnArrival = "on-arrival";
}
