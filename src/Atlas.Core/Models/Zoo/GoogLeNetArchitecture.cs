using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's GoogLeNet (Inception v1). Atlas layers are the stem convolutions and the output of
/// every Inception block (the concatenation of its four branches), as in Microscope; the auxiliary
/// heads are not built, so their checkpoint keys are expected leftovers.
/// </summary>
internal static class GoogLeNetArchitecture
{
    private static readonly (string Name, int Channels)[] Blocks =
    [
        ("inception3a", 256), ("inception3b", 480),
        ("inception4a", 512), ("inception4b", 512), ("inception4c", 512), ("inception4d", 528), ("inception4e", 832),
        ("inception5a", 832), ("inception5b", 1024),
    ];

    public static ZooArchitecture Create() => new()
    {
        Name = "googlenet",
        Aliases = ["inceptionv1", "inception_v1", "inception-v1"],
        Input = ImageNetInput.Rgb224,
        LogitsWeightKey = "fc.weight",
        Create = options => torchvision.models.googlenet(num_classes: options.Classes, transform_input: options.TransformInput),
        Layers =
        [
            // Each stem conv is conv → bn → relu in one Sequential; its output is post-ReLU.
            new HookedLayer("conv1", "conv1", 64, PreActivationTap.ReluInput("conv1.relu")),
            new HookedLayer("conv2", "conv2", 64, PreActivationTap.ReluInput("conv2.relu")),
            new HookedLayer("conv3", "conv3", 192, PreActivationTap.ReluInput("conv3.relu")),
            .. Blocks.Select(b => new HookedLayer(b.Name, b.Name, b.Channels, PreActivationTap.ReluInput(
                // Branch order is the concatenation order: 1×1, 3×3, 5×5 (a 3×3 in TorchVision), pool projection.
                $"{b.Name}.branch1.relu", $"{b.Name}.branch2.1.relu", $"{b.Name}.branch3.1.relu", $"{b.Name}.branch4.1.relu"))),
            new HookedLayer("logits", "fc", null, PreActivationTap.None),
        ],
        PreActivationMeaning = "conv1–conv3: the batch-norm output before the ReLU; inception blocks: the four branches' " +
            "batch-norm outputs before their ReLUs, concatenated like the block output; logits: the logits themselves",
        AuxiliaryKeyPrefixes = ["aux1.", "aux2."],
    };
}
