using TorchSharp;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// TorchVision's Inception v3 at 299×299. Atlas layers are the five stem convolutions and the output of every
/// Mixed block, named as TorchVision (and Lucid) name them, and the logits; the auxiliary head is built but never runs.
/// The grid-reduction blocks are rebuilt with their max-pool branch as a module, so that circuits reach them.
/// </summary>
internal static class InceptionV3Architecture
{
    public static ZooArchitecture Create() => new()
    {
        Name = "inception_v3",
        Aliases = ["inceptionv3", "inception-v3"],
        Input = ImageNetInput.Rgb299,
        LogitsWeightKey = "fc.weight",
        Create = options => WithPoolModules(torchvision.models.inception_v3(num_classes: options.Classes, transform_input: options.TransformInput)),
        Layers =
        [
            // Each stem convolution is conv → bn → relu in one Sequential; its output is post-ReLU.
            .. new[] { ("Conv2d_1a_3x3", 32), ("Conv2d_2a_3x3", 32), ("Conv2d_2b_3x3", 64), ("Conv2d_3b_1x1", 80), ("Conv2d_4a_3x3", 192) }
                .Select(c => new HookedLayer(c.Item1, c.Item1, c.Item2, PreActivationTap.ReluInput($"{c.Item1}.relu"))),
            // Branches in their concatenation order, each ending in a conv → bn → relu block.
            Mixed("Mixed_5b", 256, "branch1x1", "branch5x5_2", "branch3x3dbl_3", "branch_pool"),
            Mixed("Mixed_5c", 288, "branch1x1", "branch5x5_2", "branch3x3dbl_3", "branch_pool"),
            Mixed("Mixed_5d", 288, "branch1x1", "branch5x5_2", "branch3x3dbl_3", "branch_pool"),
            // The reduction blocks' third branch is a max-pool of the block's input, with no ReLU of its own.
            Reduction("Mixed_6a", 768, "branch3x3", "branch3x3dbl_3"),
            .. new[] { "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e" }
                .Select(name => Mixed(name, 768, "branch1x1", "branch7x7_3", "branch7x7dbl_5", "branch_pool")),
            Reduction("Mixed_7a", 1280, "branch3x3_2", "branch7x7x3_4"),
            .. new[] { "Mixed_7b", "Mixed_7c" }
                .Select(name => Mixed(name, 2048, "branch1x1", "branch3x3_2a", "branch3x3_2b", "branch3x3dbl_3a", "branch3x3dbl_3b", "branch_pool")),
            new HookedLayer("logits", "fc", null, PreActivationTap.None),
        ],
        PreActivationMeaning = "stem convolutions: the batch-norm output before the ReLU; Mixed blocks: their branches' " +
            "batch-norm outputs before their ReLUs, concatenated like the block output (Mixed_6a and Mixed_7a: then their " +
            "max-pool branch as it is); logits: the logits themselves",
        AuxiliaryKeyPrefixes = ["AuxLogits."],
    };

    /// <summary>Rebuilds the two reduction blocks so that their max-pool branches are modules (<see cref="InceptionReductionBlock"/>).</summary>
    private static TorchSharp.Modules.InceptionV3 WithPoolModules(TorchSharp.Modules.InceptionV3 network)
    {
        var blocks = network.named_children().ToDictionary(c => c.name, c => c.module);
        ChildReplacement.ReplaceField(network, "Mixed_6a", new InceptionReductionBlock(blocks["Mixed_6a"], ["branch3x3"], ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"]));
        ChildReplacement.ReplaceField(network, "Mixed_7a", new InceptionReductionBlock(blocks["Mixed_7a"], ["branch3x3_1", "branch3x3_2"],
            ["branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"]));
        return network;
    }

    private static HookedLayer Mixed(string name, int channels, params string[] branches) =>
        new(name, name, channels, PreActivationTap.ReluInput([.. branches.Select(b => $"{name}.{b}.relu")]));

    private static HookedLayer Reduction(string name, int channels, params string[] branches) =>
        new(name, name, channels, PreActivationTap.ReluInputThenRest([.. branches.Select(b => $"{name}.{b}.relu")]));
}
