using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Zoo networks for the working-copy rewrites' tests (folding, merging, space to depth): random weights from a
/// seed, so two builds are the same network and one can be rewritten, at 64 px on the CPU.
/// </summary>
internal static class WorkingCopyNetworks
{
    /// <param name="randomBatchNorms">
    /// Random batch-norm statistics and affine parameters: a fresh network's are 0 and 1, which would fold into nothing.
    /// </param>
    /// <param name="size">Input side: 64 px, where every zoo network but Inception v3 (at least 75) runs.</param>
    public static IAtlasModel Build(string architecture, int seed, bool channelsLast, bool randomBatchNorms = true, int size = 64)
    {
        TorchRuntime.Initialize();
        random.manual_seed(seed);
        var zoo = ModelZoo.Get(architecture);
        var network = zoo.Create(new ZooBuildOptions(zoo.DefaultClasses, TransformInput: false));
        if (randomBatchNorms)
        {
            using var noGrad = no_grad();
            foreach (var norm in network.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.BatchNorm2d>())
            {
                norm.running_mean!.copy_(randn_like(norm.running_mean) * 0.2);
                norm.running_var!.copy_(rand_like(norm.running_var) + 0.5);
                norm.weight.copy_(rand_like(norm.weight) + 0.5);
                norm.bias!.copy_(randn_like(norm.bias) * 0.1);
            }
        }
        ModelDevice.FreezeOnRuntimeDevice(network);
        if (channelsLast) ChannelsLast.Apply(network);
        return zoo.WrapNetwork(network, zoo.InputFor(size), []);
    }

    /// <summary>Same shape, and no element further apart than <paramref name="tolerance"/> times the larger of 1 and the expected scale.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>();
        double error = (expected - actual).abs().max().item<float>();
        Assert.True(error <= tolerance * Math.Max(scale, 1), $"{what}: differs by {error:G3} at scale {scale:G3}");
    }

    /// <summary>
    /// Both models already in bfloat16: the rewritten one's pre-activations keep the type and channels-last
    /// layout and agree with the plain one's within bfloat16 rounding (8 significant bits; a wrong channel
    /// order or a lost bias would be off by the whole scale).
    /// </summary>
    public static void AssertAgreeInBFloat16(IAtlasModel plain, IAtlasModel rewritten, IReadOnlyList<string> layers)
    {
        using var scope = NewDisposeScope();
        var pixels = rand(2, 3, 64, 64);
        foreach (var layer in layers)
        {
            var expected = plain.Activations(pixels, [layer], preActivation: true)[layer];
            var actual = rewritten.Activations(pixels, [layer], preActivation: true)[layer];
            Assert.Equal(ScalarType.BFloat16, actual.dtype);
            Assert.True(ChannelsLast.IsChannelsLast(actual), $"{layer} left channels-last");
            AssertClose(expected.to(ScalarType.Float32), actual.to(ScalarType.Float32), 3e-2, $"bf16 {layer}");
        }
    }
}
