using Atlas.Core.Analysis;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Analysis;

// Builds networks from TorchSharp's global generator: kept apart from tests that seed it.
[Collection(GlobalTorchRandomCollection.Name)]
public class CircuitTests
{
    private static readonly float[] Kernel = [1, 0, -1, 2, 0, -2, 1, 0, -1];

    [Fact]
    public void Direct_weights_of_the_demo_rank_inputs_and_outputs_by_signed_kernel_norm()
    {
        using var scope = NewDisposeScope();
        TorchRuntime.Initialize();
        var network = new DemoCnn();
        network.eval();
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            var conv2 = parameters["conv2.weight"];
            conv2.zero_();
            // conv2 unit 3 reads conv1 unit 5 with K and unit 7 with −2K (sum positive, so the sign comes from the factor).
            var k = tensor(Kernel).view(3, 3) + 0.1f;
            conv2[3, 5] = k;
            conv2[3, 7] = -2 * k;
            conv2[9, 5] = 0.5f * k;
            var logits = parameters["logits.weight"];
            logits.zero_();
            logits[2, 4 * 49 + 1 * 7 + 5] = tensor(1.5f); // class 2 reads conv3 channel 4 at (y 1, x 5)
        }
        using var model = new DemoCnnModel(network, FashionMnist.ClassNames);
        var catalog = LayerCatalog.Measure(model);
        var probe = LayerProbes.For(model);

        var c12 = CircuitAnalysis.Connect(probe, catalog[0], catalog[1], 3, out var reason)!;
        Assert.Null(reason);
        Assert.Equal(ConnectionMethod.Direct, c12.Method);
        double norm = Math.Sqrt(Kernel.Sum(v => (v + 0.1) * (v + 0.1)));
        var inputs = c12.InputsOf(3);
        Assert.Equal([7, 5], inputs.Take(2).Select(e => e.Unit));
        Assert.Equal(-2 * norm, inputs[0].Weight, 1e-4);
        Assert.Equal(norm, inputs[1].Weight, 1e-4);
        Assert.Equal([3, 9], c12.OutputsOf(5).Take(2).Select(e => e.Unit));
        Assert.Equal([3], c12.OutputsOf(5, among: 5).Where(e => e.Weight != 0).Select(e => e.Unit));
        Assert.Equal(Kernel.Select(v => v + 0.1f), c12.Kernel(3, 5).SelectMany(r => r), new FloatTolerance(1e-6f));

        var c3l = CircuitAnalysis.Connect(probe, catalog[2], catalog[3], 3, out _)!;
        Assert.Equal((7, 7), (c3l.KernelHeight, c3l.KernelWidth));
        Assert.Equal(1.5f, c3l.Kernel(2, 4)[1][5]);
        Assert.Equal(new CircuitEdge(4, 1.5f), c3l.InputsOf(2)[0]);
        Assert.Null(CircuitAnalysis.Connect(probe, catalog[0], catalog[2], 3, out var skipped));
        Assert.Contains("not joined directly", skipped);
    }

    [Fact]
    public void A_unit_whose_strongest_inputs_all_inhibit_it_still_keeps_its_strongest_excitatory_ones()
    {
        using var scope = NewDisposeScope();
        TorchRuntime.Initialize();
        var network = new DemoCnn();
        network.eval();
        var conv2 = network.named_parameters().Single(p => p.name == "conv2.weight").parameter;
        using (no_grad())
        {
            conv2.zero_();
            // conv2 unit 3: five inhibitory inputs (conv1 units 0–4), every one stronger than its two excitatory ones (10, 11).
            var k = tensor(Kernel).view(3, 3) + 0.1f;
            for (int u = 0; u < 5; u++) conv2[3, u] = -(u + 2) * k;
            conv2[3, 10] = 0.5f * k;
            conv2[3, 11] = 0.25f * k;
        }
        using var model = new DemoCnnModel(network, FashionMnist.ClassNames);
        var catalog = LayerCatalog.Measure(model);

        var connections = CircuitAnalysis.Connect(LayerProbes.For(model), catalog[0], catalog[1], 3, out _)!;

        // Three of each sign, strongest first by |strength|; the other 9 of conv1's 16 units have no weight and are no link.
        Assert.Equal([4, 3, 2, 10, 11], connections.InputsOf(3).Select(e => e.Unit));
        Assert.Equal([false, false, false, true, true], connections.InputsOf(3).Select(e => e.Weight > 0));
        // The other way: conv1 unit 10 excites conv2 unit 3 alone.
        Assert.Equal([3], connections.OutputsOf(10).Select(e => e.Unit));
    }

    [Fact]
    public void Expanded_weights_of_adjacent_convs_are_the_conv_kernels()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyHookedModel();
        var catalog = LayerCatalog.Measure(model);
        var connections = CircuitAnalysis.Connect(LayerProbes.For(model), catalog[0], catalog[1], 2, out var reason)!;
        Assert.Null(reason);
        Assert.Equal(ConnectionMethod.Expanded, connections.Method);
        Assert.Equal((3, 3), (connections.KernelHeight, connections.KernelWidth));
        var weight = model.Weight("mid.conv.weight");
        for (int v = 0; v < 4; v++)
            for (int u = 0; u < 3; u++)
            {
                var expected = weight[v, u].to(float32).contiguous().data<float>().ToArray();
                Assert.Equal(expected, connections.Kernel(v, u).SelectMany(r => r), new FloatTolerance(1e-5f));
            }
    }

    [Fact]
    public void Expanded_weights_through_a_max_pool_read_it_as_an_average_pool()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyHookedModel();
        var catalog = LayerCatalog.Measure(model);
        var connections = CircuitAnalysis.Connect(LayerProbes.For(model), catalog[1], catalog[2], 2, out _)!;
        Assert.Equal((6, 6), (connections.KernelHeight, connections.KernelWidth));
        var head = model.Weight("head.weight");
        for (int cls = 0; cls < 5; cls++)
            for (int u = 0; u < 4; u++)
            {
                var kernel = connections.Kernel(cls, u);
                for (int y = 0; y < 6; y++)
                    for (int x = 0; x < 6; x++)
                        Assert.Equal(head[cls, u * 9 + y / 2 * 3 + x / 2].item<double>() / 4, kernel[y][x], 1e-5);
            }
    }

    [Fact]
    public void A_relu_outside_any_module_leaves_no_circuits_rather_than_wrong_ones()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyHookedModel(functionalRelu: true);
        var catalog = LayerCatalog.Measure(model);
        Assert.Null(CircuitAnalysis.Connect(LayerProbes.For(model), catalog[1], catalog[2], 2, out var reason));
        Assert.Contains("non-linear", reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_method_check_without_kernels_says_what_Connect_does(bool functionalRelu)
    {
        using var scope = NewDisposeScope();
        using var model = new TinyHookedModel(functionalRelu: functionalRelu);
        var probe = LayerProbes.For(model);
        var catalog = LayerCatalog.Measure(model);
        foreach (var (from, to) in catalog.Zip(catalog.Skip(1)))
        {
            var connections = CircuitAnalysis.Connect(probe, from, to, 2, out var reason);
            var method = CircuitAnalysis.Method(probe, from, to, out var methodReason);
            Assert.Equal(connections?.Method, method);
            Assert.Equal(reason, methodReason);
        }
    }

    [Fact]
    public void Class_spread_counts_labels_and_measures_entropy()
    {
        string[] names = ["a", "b", "c"];
        var spread = ClassSpreadCalculator.From([0, 0, 1, 0, 2, 1, -1], names)!;
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 2, ["c"] = 1 }, spread.Counts);
        Assert.Equal("a", spread.DominantClass);
        double expected = -(3 / 6.0 * Math.Log2(3 / 6.0) + 2 / 6.0 * Math.Log2(2 / 6.0) + 1 / 6.0 * Math.Log2(1 / 6.0));
        Assert.Equal(expected, spread.EntropyBits, 10);
        Assert.Equal(0, ClassSpreadCalculator.From([2, 2, 2], names)!.EntropyBits);
        Assert.Null(ClassSpreadCalculator.From([-1, -1], names));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
