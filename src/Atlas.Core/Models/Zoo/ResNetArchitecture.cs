using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's ResNets: ResNet-18, -34, -50, -101 and -152, ResNeXt-50 (32×4d) and Wide ResNet-50-2 (bottleneck
/// blocks with grouped or wider 3×3 convolutions; the same stage outputs as ResNet-50). Atlas layers are the stem
/// (conv1 → bn1 → relu, before the max-pool), the output of each of the four stages, and the logits. Built as
/// <see cref="ResNetNetwork"/>, so that every block's last ReLU is a module: the pre-activation is its input, and
/// circuits linearize through it.
/// </summary>
internal static class ResNetArchitecture
{
    public static IReadOnlyList<ZooArchitecture> All { get; } =
    [
        Create("resnet18", ["resnet-18"], blocks: [2, 2, 2, 2], expansion: 1, classes => torchvision.models.resnet18(num_classes: classes)),
        Create("resnet34", ["resnet-34"], blocks: [3, 4, 6, 3], expansion: 1, classes => torchvision.models.resnet34(num_classes: classes)),
        Create("resnet50", ["resnet-50"], blocks: [3, 4, 6, 3], expansion: 4, classes => torchvision.models.resnet50(num_classes: classes)),
        Create("resnet101", ["resnet-101"], blocks: [3, 4, 23, 3], expansion: 4, classes => torchvision.models.resnet101(num_classes: classes)),
        Create("resnet152", ["resnet-152"], blocks: [3, 8, 36, 3], expansion: 4, classes => torchvision.models.resnet152(num_classes: classes)),
        Create("resnext50_32x4d", ["resnext50", "resnext-50"], blocks: [3, 4, 6, 3], expansion: 4,
            classes => torchvision.models.resnext50_32x4d(num_classes: classes)),
        Create("wide_resnet50_2", ["wide-resnet50-2", "wide-resnet-50-2"], blocks: [3, 4, 6, 3], expansion: 4,
            classes => torchvision.models.wide_resnet50_2(num_classes: classes)),
    ];

    private static ZooArchitecture Create(string name, string[] aliases, int[] blocks, int expansion,
        Func<int, TorchSharp.Modules.ResNet> build) => new()
    {
        Name = name,
        Aliases = aliases,
        Input = ImageNetInput.Rgb224,
        LogitsWeightKey = "fc.weight",
        Create = options => new ResNetNetwork(build(options.Classes)),
        Layers =
        [
            new HookedLayer("conv1", "relu", 64, PreActivationTap.ReluInput("relu")),
            // A stage's output is its last block's relu(bn + identity), that ReLU a module of ResidualBlock's.
            .. Enumerable.Range(0, 4).Select(stage =>
            {
                var module = $"layer{stage + 1}";
                return new HookedLayer(module, module, 64 * (1 << stage) * expansion, PreActivationTap.ReluInput($"{module}.{blocks[stage] - 1}.relu"));
            }),
            new HookedLayer("logits", "fc", null, PreActivationTap.None),
        ],
        PreActivationMeaning = "conv1: the bn1 output before the ReLU; layer1–layer4: the last block's residual sum " +
            "(batch-norm output plus identity) before its final ReLU; logits: the logits themselves",
    };
}
