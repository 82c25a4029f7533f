using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's MobileNetV2. Atlas layers: the stem conv (features.0), the output of each of the 17
/// inverted-residual blocks (features.1–17, named block1–block17), the final 1×1 conv (features.18)
/// and the logits.
/// </summary>
internal static class MobileNetV2Architecture
{
    // Output channels of features.1 … features.17 (the t, c, n, s table of the paper, expanded).
    private static readonly int[] BlockChannels = [16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320];

    public static ZooArchitecture Create() => new()
    {
        Name = "mobilenet_v2",
        Aliases = ["mobilenetv2", "mobilenet-v2"],
        Input = ImageNetInput.Rgb224,
        LogitsWeightKey = "classifier.1.weight",
        Create = options => torchvision.models.mobilenet_v2(num_classes: options.Classes),
        Layers =
        [
            // Conv2dNormActivation = Sequential(conv, bn, ReLU6): index 2 is the activation.
            new HookedLayer("conv0", "features.0", 32, PreActivationTap.ReluInput("features.0.2")),
            // Blocks end in a linear bottleneck (conv → bn, no activation), so pre- and post-activation coincide.
            .. BlockChannels.Select((channels, i) => new HookedLayer($"block{i + 1}", $"features.{i + 1}", channels, PreActivationTap.None)),
            new HookedLayer("conv18", "features.18", 1280, PreActivationTap.ReluInput("features.18.2")),
            new HookedLayer("logits", "classifier.1", null, PreActivationTap.None),
        ],
        PreActivationMeaning = "conv0 and conv18: the batch-norm output before the ReLU6; block1–block17: the block output " +
            "itself (linear bottlenecks have no activation); logits: the logits themselves",
    };
}
