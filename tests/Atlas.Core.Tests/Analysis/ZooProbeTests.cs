using Atlas.Core.Analysis;
using Atlas.Core.Models;
using Atlas.Core.Tests.Models;
using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Analysis;

/// <summary>The analyses on real zoo networks (random weights, 64 px inputs to stay fast).</summary>
// Builds networks from TorchSharp's global generator: kept apart from tests that seed it.
[Collection(GlobalTorchRandomCollection.Name)]
public class ZooProbeTests
{
    private static IAtlasModel Build(string name, int size = 64)
    {
        TorchRuntime.Initialize();
        random.manual_seed(4);
        var architecture = ModelZoo.Get(name);
        var network = architecture.Create(new ZooBuildOptions(10, TransformInput: false));
        network.eval();
        foreach (var parameter in network.parameters()) parameter.requires_grad = false;
        return architecture.WrapNetwork(network, architecture.InputFor(size), []);
    }

    [Fact]
    public void GoogLeNet_gets_grad_cam_filters_weights_and_expanded_circuits()
    {
        using var scope = NewDisposeScope();
        using var model = Build("googlenet");
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model);

        var cam = GradCam.Compute(probe, rand(2, 3, 64, 64, generator: new Generator(1)), "inception4a", [3, 7])[0];
        Assert.Equal((4, 4), (cam.Height, cam.Width));
        Assert.Equal([64, 3, 7, 7], probe.InputFilters("conv1")!.shape);
        Assert.Null(probe.InputFilters("conv2"));
        // An Inception block's weights are its six convolutions; the logits' the fc layer.
        Assert.Equal(6, probe.LayerWeights("inception3a").Count);
        Assert.Equal([10, 1024], probe.LayerWeights("logits").Single().shape);

        var from = catalog.Single(l => l.Name == "inception3a");
        var to = catalog.Single(l => l.Name == "inception3b");
        var connections = CircuitAnalysis.Connect(probe, from, to, 3, out var reason, toUnits: 8);
        Assert.True(connections is not null, reason);
        Assert.Equal(ConnectionMethod.Expanded, connections!.Method);
        // Its 3×3 branches (TorchVision's "5×5" is a 3×3 too) reach one position around the centre.
        Assert.Equal((3, 3), (connections.KernelHeight, connections.KernelWidth));
        Assert.Equal(6, connections.InputsOf(0).Count); // 3 of each sign
        Assert.True(Math.Abs(connections.InputsOf(0)[0].Weight) > 0);
        // Only the 8 units computed are candidate outputs.
        Assert.All(connections.OutputsOf(0), e => Assert.InRange(e.Unit, 0, 7));
    }

    [Fact]
    public void Layers_that_are_ReLU_modules_are_substituted_and_their_expanded_weights_between_adjacent_convolutions_are_the_kernels()
    {
        // AlexNet's layers are the ReLU modules after its convolutions (VGG's too). The substitute for such a layer
        // must survive the ReLU's own linearizing hook on the same module; it once did not, and the pass returned the
        // blank image's activation instead.
        using var scope = NewDisposeScope();
        using var model = Build("alexnet");
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model);

        var connections = CircuitAnalysis.Connect(probe, catalog.Single(l => l.Name == "conv3"), catalog.Single(l => l.Name == "conv4"), 3, out var reason, toUnits: 4);

        Assert.True(connections is not null, reason);
        // Linearized, conv3's ReLU output feeds conv4's 3×3 convolution alone: the expanded weights are its kernels.
        var kernels = model.Network.named_parameters().Single(p => p.name == "features.8.weight").parameter;
        Assert.Equal((3, 3), (connections!.KernelHeight, connections.KernelWidth));
        for (int unit = 0; unit < 4; unit++)
            foreach (var from in new[] { 0, 17, 383 })
            {
                var expected = kernels[unit, from].data<float>().ToArray();
                var actual = connections.Kernel(unit, from).SelectMany(row => row).ToArray();
                Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
            }
    }

    [Fact]
    public void Every_two_neighbouring_VGG_16_layers_are_joined_by_expanded_weights_wide_as_the_path_between_them()
    {
        using var scope = NewDisposeScope();
        using var model = Build("vgg16");
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model);

        var kernels = catalog.Zip(catalog.Skip(1), (from, to) =>
        {
            var connections = CircuitAnalysis.Connect(probe, from, to, 3, out var reason, toUnits: 2);
            Assert.True(connections is not null, $"{from.Name}→{to.Name}: {reason}");
            return (from.Name, connections!.KernelHeight);
        }).ToDictionary(k => k.Name, k => k.KernelHeight);

        // A 3×3 convolution reads 3×3 of the ReLU before it; across a 2×2 max-pool (an average pool, linearized) 6×6.
        Assert.Equal(3, kernels["conv1_1"]);
        Assert.Equal(6, kernels["conv1_2"]);
        Assert.Equal(3, kernels["conv5_2"]);
        Assert.Equal(1, kernels["fc6"]);
    }

    private static void AssertExpandedWeightsJoinEveryTwoNeighbouringLayers(ILayerProbe probe, IReadOnlyList<LayerInfo> catalog)
    {
        foreach (var (from, to) in catalog.Zip(catalog.Skip(1)))
        {
            var connections = CircuitAnalysis.Connect(probe, from, to, 3, out var reason, toUnits: 2);
            Assert.True(connections is not null, $"{from.Name}→{to.Name}: {reason}");
            Assert.Equal(ConnectionMethod.Expanded, connections!.Method);
            Assert.True(Math.Abs(connections.InputsOf(0)[0].Weight) > 0, $"{from.Name}→{to.Name}: no input has any weight");
        }
    }

    [Fact]
    public void ResNet_blocks_end_in_a_ReLU_module_so_every_two_neighbouring_layers_get_expanded_weights()
    {
        using var scope = NewDisposeScope();
        using var model = Build("resnet18");
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model);
        AssertExpandedWeightsJoinEveryTwoNeighbouringLayers(probe, catalog);
        // The stem layer is ResNet's ReLU module; its filters are conv1's.
        Assert.Equal([64, 3, 7, 7], probe.InputFilters("conv1")!.shape);
        Assert.Equal((2, 2), (GradCam.Compute(probe, rand(1, 3, 64, 64), "layer4")[0].Height, 2));
    }

    [Fact]
    public void Inception_v3s_reduction_blocks_pass_their_max_pool_branch_on_as_an_average_pool()
    {
        // TorchSharp's reduction blocks pooled with a function call; rebuilt, the pool is a module the linearization reaches.
        using var scope = NewDisposeScope();
        using var model = Build("inception_v3", 128);
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model).ToDictionary(l => l.Name);

        // Mixed_6a's channels 480 on are its 3×3, stride-2 max-pool of Mixed_5d's 288: channel 480 + k reads channel k alone.
        var connections = CircuitAnalysis.Connect(probe, catalog["Mixed_5d"], catalog["Mixed_6a"], 3, out var reason, toUnits: 482);
        Assert.True(connections is not null, reason);
        Assert.Equal(ConnectionMethod.Expanded, connections!.Method);
        var own = connections.Kernel(480, 0).SelectMany(row => row).ToArray();
        Assert.Equal(9, own.Count(w => w != 0));
        Assert.All(own.Where(w => w != 0), w => Assert.Equal(1 / 9f, w, 1e-5f));
        Assert.All(connections.Kernel(480, 1).SelectMany(row => row), w => Assert.Equal(0f, w));
        Assert.Equal([1], connections.InputsOf(481).Where(e => e.Weight != 0).Select(e => e.Unit));
        Assert.NotNull(CircuitAnalysis.Connect(probe, catalog["Mixed_6e"], catalog["Mixed_7a"], 3, out var reason7, toUnits: 2));
    }
    [Fact]
    public void MobileNetV3s_Hardswish_and_squeeze_and_excitation_gates_pass_their_input_on_so_every_two_neighbouring_layers_get_expanded_weights()
    {
        using var scope = NewDisposeScope();
        using var model = Build("mobilenet_v3_small");
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model);
        AssertExpandedWeightsJoinEveryTwoNeighbouringLayers(probe, catalog);

        // block1 is a 3×3 depthwise convolution, a batch norm, a ReLU, a squeeze-and-excitation gate and a 1×1 projection with
        // its batch norm. With the ReLU as the identity and the gate as 1, input c reaches unit u through c's depthwise
        // kernel times the projection's weight, each scaled by its batch norm.
        var weights = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var buffers = model.Network.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        float Scale(string norm, int channel) =>
            weights[$"{norm}.weight"][channel].item<float>() / MathF.Sqrt(buffers[$"{norm}.running_var"][channel].item<float>() + 1e-3f);
        var block1 = CircuitAnalysis.Connect(probe, catalog.Single(l => l.Name == "conv0"), catalog.Single(l => l.Name == "block1"), 3, out var why, toUnits: 3);
        Assert.True(block1 is not null, why);
        Assert.Equal((3, 3), (block1!.KernelHeight, block1.KernelWidth));
        for (int unit = 0; unit < 3; unit++)
            foreach (var input in new[] { 0, 5, 15 })
            {
                float factor = weights["features.1.block.2.0.weight"][unit, input, 0, 0].item<float>() * Scale("features.1.block.2.1", unit) * Scale("features.1.block.0.1", input);
                var expected = weights["features.1.block.0.0.weight"][input, 0].data<float>().Select(w => w * factor).ToArray();
                var actual = block1.Kernel(unit, input).SelectMany(row => row).ToArray();
                Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) <= 1e-4f * Math.Max(1f, Math.Abs(a)));
            }
    }
}
