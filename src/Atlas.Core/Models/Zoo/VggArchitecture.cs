using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's VGG-11, -13, -16 and -19, each with and without batch norm. Atlas layers are the ReLU after every
/// convolution, named convB_I as in the paper and Microscope (features.N is the ReLU module), fc6/fc7 after their
/// ReLUs, and the logits.
/// </summary>
internal static class VggArchitecture
{
    public static IReadOnlyList<ZooArchitecture> All { get; } =
    [
        // Channel count per conv, 0 = max-pool: TorchVision's configurations "A", "B", "D" and "E".
        .. Family(11, [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
            classes => torchvision.models.vgg11(num_classes: classes), classes => torchvision.models.vgg11_bn(num_classes: classes)),
        .. Family(13, [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
            classes => torchvision.models.vgg13(num_classes: classes), classes => torchvision.models.vgg13_bn(num_classes: classes)),
        .. Family(16, [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
            classes => torchvision.models.vgg16(num_classes: classes), classes => torchvision.models.vgg16_bn(num_classes: classes)),
        .. Family(19, [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
            classes => torchvision.models.vgg19(num_classes: classes), classes => torchvision.models.vgg19_bn(num_classes: classes)),
    ];

    private static IEnumerable<ZooArchitecture> Family(int depth, int[] configuration,
        Func<int, TorchSharp.Modules.VGG> plain, Func<int, TorchSharp.Modules.VGG> normed)
    {
        yield return Create($"vgg{depth}", [$"vgg-{depth}"], configuration, batchNorm: false, plain);
        yield return Create($"vgg{depth}_bn", [$"vgg-{depth}-bn", $"vgg{depth}bn"], configuration, batchNorm: true, normed);
    }

    private static ZooArchitecture Create(string name, string[] aliases, int[] configuration, bool batchNorm,
        Func<int, TorchSharp.Modules.VGG> build) => new()
    {
        Name = name,
        Aliases = aliases,
        Input = ImageNetInput.Rgb224,
        LogitsWeightKey = "classifier.6.weight",
        Create = options => build(options.Classes),
        Layers =
        [
            .. ConvLayers(configuration, batchNorm),
            new HookedLayer("fc6", "classifier.1", 4096, PreActivationTap.ReluInput("classifier.1")),
            new HookedLayer("fc7", "classifier.4", 4096, PreActivationTap.ReluInput("classifier.4")),
            new HookedLayer("logits", "classifier.6", null, PreActivationTap.None),
        ],
        PreActivationMeaning = batchNorm
            ? "conv layers: the batch-norm output before the ReLU; fc layers: the linear output (with bias) before the ReLU; logits: the logits themselves"
            : "conv and fc layers: the convolution/linear output (with bias) before its ReLU; logits: the logits themselves",
    };

    private static IEnumerable<HookedLayer> ConvLayers(int[] configuration, bool batchNorm)
    {
        int index = 0, block = 1, conv = 1;
        // features holds conv, (batch norm,) in-place ReLU per convolution and a max-pool per 0.
        int step = batchNorm ? 3 : 2;
        foreach (var channels in configuration)
        {
            if (channels == 0)
            {
                index++;
                block++;
                conv = 1;
                continue;
            }
            var relu = $"features.{index + step - 1}";
            yield return new HookedLayer($"conv{block}_{conv}", relu, channels, PreActivationTap.ReluInput(relu));
            index += step;
            conv++;
        }
    }
}
