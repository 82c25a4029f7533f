using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's ResNet-18 and ResNet-50. Atlas layers are the stem (conv1 → bn1 → relu, before the
/// max-pool), the output of each of the four stages, and the logits. Built as <see cref="ResNetNetwork"/>, so that
/// every block's last ReLU is a module: the pre-activation is its input, and circuits linearize through it.
/// </summary>
internal static class ResNetArchitecture
{
    public static ZooArchitecture ResNet18() => Create("resnet18", ["resnet-18"], blocks: [2, 2, 2, 2], expansion: 1,
        options => new ResNetNetwork(torchvision.models.resnet18(num_classes: options.Classes)));

    public static ZooArchitecture ResNet50() => Create("resnet50", ["resnet-50"], blocks: [3, 4, 6, 3], expansion: 4,
        options => new ResNetNetwork(torchvision.models.resnet50(num_classes: options.Classes)));

    private static ZooArchitecture Create(string name, string[] aliases, int[] blocks, int expansion,
        Func<ZooBuildOptions, ResNetNetwork> build) => new()
    {
        Name = name,
        Aliases = aliases,
        Input = ImageNetInput.Rgb224,
        LogitsWeightKey = "fc.weight",
        Create = build,
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
