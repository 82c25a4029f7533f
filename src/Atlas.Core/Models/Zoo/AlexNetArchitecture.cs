using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>TorchVision's AlexNet: the five conv ReLUs, fc6/fc7 after their ReLUs, and the logits.</summary>
internal static class AlexNetArchitecture
{
    public static ZooArchitecture Create() => new()
    {
        Name = "alexnet",
        Input = ImageNetInput.Rgb224,
        LogitsWeightKey = "classifier.6.weight",
        Create = options => torchvision.models.alexnet(num_classes: options.Classes),
        Layers =
        [
            Relu("conv1", "features.1", 64),
            Relu("conv2", "features.4", 192),
            Relu("conv3", "features.7", 384),
            Relu("conv4", "features.9", 256),
            Relu("conv5", "features.11", 256),
            Relu("fc6", "classifier.2", 4096),
            Relu("fc7", "classifier.5", 4096),
            new HookedLayer("logits", "classifier.6", null, PreActivationTap.None),
        ],
        PreActivationMeaning = "conv and fc layers: the convolution/linear output (with bias) before its ReLU; logits: the logits themselves",
    };

    private static HookedLayer Relu(string name, string module, int channels) => new(name, module, channels, PreActivationTap.ReluInput(module));
}
