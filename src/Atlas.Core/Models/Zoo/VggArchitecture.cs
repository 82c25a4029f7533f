using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's VGG-16 (without batch norm). Atlas layers are the ReLU after every convolution, named
/// convB_I as in the paper and Microscope (features.N is the ReLU module), fc6/fc7 after their ReLUs, and the logits.
/// </summary>
internal static class VggArchitecture
{
    // Channel count per conv, 0 = max-pool: TorchVision's "D" configuration.
    private static readonly int[] Configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];

    public static ZooArchitecture Vgg16() => new()
    {
        Name = "vgg16",
        Aliases = ["vgg-16"],
        Input = ImageNetInput.Rgb224,
        LogitsWeightKey = "classifier.6.weight",
        Create = options => torchvision.models.vgg16(num_classes: options.Classes),
        Layers =
        [
            .. ConvLayers(),
            new HookedLayer("fc6", "classifier.1", 4096, PreActivationTap.ReluInput("classifier.1")),
            new HookedLayer("fc7", "classifier.4", 4096, PreActivationTap.ReluInput("classifier.4")),
            new HookedLayer("logits", "classifier.6", null, PreActivationTap.None),
        ],
        PreActivationMeaning = "conv and fc layers: the convolution/linear output (with bias) before its ReLU; logits: the logits themselves",
    };

    private static IEnumerable<HookedLayer> ConvLayers()
    {
        int index = 0, block = 1, conv = 1;
        foreach (var channels in Configuration)
        {
            if (channels == 0)
            {
                index++;
                block++;
                conv = 1;
                continue;
            }
            // Each conv is followed by its in-place ReLU at the next index of `features`.
            var relu = $"features.{index + 1}";
            yield return new HookedLayer($"conv{block}_{conv}", relu, channels, PreActivationTap.ReluInput(relu));
            index += 2;
            conv++;
        }
    }
}
