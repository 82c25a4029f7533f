using Atlas.Core.Models.Zoo;

namespace Atlas.Core.Models;

/// <summary>
/// The architectures the atlas can build by name: TorchVision's GoogLeNet, Inception v3, ResNets (18, 34, 50, 101, 152, ResNeXt-50
/// 32×4d, Wide ResNet-50-2), VGG-11/13/16/19 with and without batch norm, AlexNet, MobileNetV2 and MobileNetV3 (Large and Small), and the demo CNN. Names are matched case-insensitively, aliases included.
/// </summary>
public static class ModelZoo
{
    public static IReadOnlyList<ZooArchitecture> All { get; } =
    [
        DemoArchitecture(),
        GoogLeNetArchitecture.Create(),
        InceptionV3Architecture.Create(),
        .. ResNetArchitecture.All,
        .. VggArchitecture.All,
        AlexNetArchitecture.Create(),
        MobileNetV2Architecture.Create(),
        .. MobileNetV3Architecture.All,
    ];

    public static IReadOnlyList<string> Names => All.Select(a => a.Name).ToList();

    public static ZooArchitecture? Find(string? name) => name is null ? null : All.FirstOrDefault(a => a.Answers(name));

    /// <summary>The architecture called <paramref name="name"/>; an unknown name is an input error listing the known ones.</summary>
    public static ZooArchitecture Get(string name) =>
        Find(name) ?? throw new AtlasInputException($"model.architecture: {Unknown(name)}");

    /// <summary>What is wrong with an architecture name that is neither the zoo's nor torchscript: the known ones.</summary>
    public static string Unknown(string name) =>
        $"unknown architecture '{name}' (known: {string.Join(", ", All.Select(a => a.Aliases.Count > 0 ? $"{a.Name} ({string.Join("/", a.Aliases)})" : a.Name))}, or torchscript for any other network saved with torch.jit.save)";

    private static ZooArchitecture DemoArchitecture() => new()
    {
        Name = DemoCnn.ArchitectureName,
        Input = DemoCnnModel.DefaultInput,
        ResizableInput = false,
        LogitsWeightKey = "logits.weight",
        DefaultClasses = 10,
        Create = options => new DemoCnn(DemoCnnModel.DefaultInput.Channels, options.Classes),
        // DemoCnnModel runs its stages itself and taps pre-ReLU values directly, so these taps are only
        // descriptive; the module names are the state-dict prefixes used to name a missing key's layer.
        Layers =
        [
            new HookedLayer("conv1", "conv1", 16, PreActivationTap.ReluInput("conv1")),
            new HookedLayer("conv2", "conv2", 32, PreActivationTap.ReluInput("conv2")),
            new HookedLayer("conv3", "conv3", 64, PreActivationTap.ReluInput("conv3")),
            new HookedLayer("logits", "logits", null, PreActivationTap.None),
        ],
        PreActivationMeaning = "conv1–conv3: the convolution output before its ReLU; logits: the logits themselves",
        Wrap = (network, input, classes) => new DemoCnnModel((DemoCnn)network, classes, input),
    };
}
