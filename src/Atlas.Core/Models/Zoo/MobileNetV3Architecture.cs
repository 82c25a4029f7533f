using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's MobileNetV3, Large and Small. Atlas layers: the stem conv (features.0), the output of each
/// inverted-residual block (features.1 …, named block1 …), the last 1×1 conv (conv16 of Large, conv12 of Small), the
/// classifier's hidden layer after its Hardswish (fc) and the logits.
/// </summary>
internal static class MobileNetV3Architecture
{
    // Output channels of features.1 … of each network: the bneck table of the paper (Tables 1 and 2).
    private static readonly int[] LargeBlockChannels = [16, 24, 24, 40, 40, 40, 80, 80, 80, 80, 112, 112, 160, 160, 160];
    private static readonly int[] SmallBlockChannels = [16, 24, 24, 40, 40, 40, 48, 48, 96, 96, 96];

    public static IReadOnlyList<ZooArchitecture> All { get; } =
    [
        Create("mobilenet_v3_large", ["mobilenetv3_large", "mobilenet-v3-large"], torchvision.models.mobilenet_v3_large, LargeBlockChannels, lastConv: 960, hidden: 1280),
        Create("mobilenet_v3_small", ["mobilenetv3_small", "mobilenet-v3-small"], torchvision.models.mobilenet_v3_small, SmallBlockChannels, lastConv: 576, hidden: 1024),
    ];

    private static ZooArchitecture Create(string name, string[] aliases, Func<MobileNetV3> build, int[] blockChannels, int lastConv, int hidden)
    {
        int last = blockChannels.Length + 1;
        return new()
        {
            Name = name,
            Aliases = aliases,
            Input = ImageNetInput.Rgb224,
            LogitsWeightKey = "classifier.3.weight",
            Create = options => WithClasses(build(), hidden, options.Classes),
            Layers =
            [
                // Conv2dNormActivation = Sequential(conv, bn, Hardswish): index 2 is the activation.
                new HookedLayer("conv0", "features.0", 16, PreActivationTap.ReluInput("features.0.2")),
                // Blocks end in a linear bottleneck (conv → bn, no activation), so pre- and post-activation coincide.
                .. blockChannels.Select((channels, i) => new HookedLayer($"block{i + 1}", $"features.{i + 1}", channels, PreActivationTap.None)),
                new HookedLayer($"conv{last}", $"features.{last}", lastConv, PreActivationTap.ReluInput($"features.{last}.2")),
                // classifier = Sequential(Linear, Hardswish, Dropout, Linear): the hidden layer is the Hardswish's output.
                new HookedLayer("fc", "classifier.1", hidden, PreActivationTap.ReluInput("classifier.1")),
                new HookedLayer("logits", "classifier.3", null, PreActivationTap.None),
            ],
            PreActivationMeaning = $"conv0 and conv{last}: the batch-norm output before the Hardswish; block1–block{last - 1}: the block " +
                "output itself (linear bottlenecks have no activation); fc: the linear output before the Hardswish; logits: the logits themselves",
        };
    }

    /// <summary>
    /// TorchSharp builds MobileNetV3 for ImageNet's 1,000 classes only, so a checkpoint with another class count gets a
    /// logits layer of its size in the classifier's last place. A Sequential names its children, for its state dict too,
    /// by their place in the list its forward runs, so the new layer loads as <c>classifier.3</c>.
    /// </summary>
    private static MobileNetV3 WithClasses(MobileNetV3 network, int hidden, int classes)
    {
        if (classes == 1000) return network;
        var classifier = (Sequential)network.named_children().Single(c => c.name == "classifier").module;
        var children = SequentialChildren.Of(classifier)
            ?? throw new InvalidOperationException("TorchSharp's Sequential no longer keeps its children where the zoo looks for them");
        var logits = (nn.Module)children[3];
        children[3] = nn.Linear(hidden, classes);
        logits.Dispose();
        return network;
    }
}
