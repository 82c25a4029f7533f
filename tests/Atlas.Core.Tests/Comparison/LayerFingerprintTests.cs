using Atlas.Core.Comparison;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Comparison;

/// <summary>Which layers two checkpoints compute identically (weight fingerprints), and probe responses.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class LayerFingerprintTests
{
    private static (DemoCnnModel Model, DemoCnn Network) Demo(int seed)
    {
        TorchRuntime.Initialize();
        random.manual_seed(seed);
        var network = new DemoCnn();
        network.eval();
        foreach (var p in network.parameters()) p.requires_grad = false;
        return (new DemoCnnModel(network, []), network);
    }

    private static void Nudge(DemoCnn network, string parameter)
    {
        using var noGrad = no_grad();
        var p = network.named_parameters().Single(n => n.name == parameter).parameter;
        p.add_(1e-3f);
    }

    [Fact]
    public void Changing_the_logits_keeps_every_conv_layer_and_changing_conv2_keeps_only_conv1()
    {
        var (baseModel, _) = Demo(11);
        var (headModel, head) = Demo(11);
        var (midModel, mid) = Demo(11);
        Nudge(head, "logits.weight");
        Nudge(mid, "conv2.bias");
        using (baseModel)
        using (headModel)
        using (midModel)
        {
            var layers = DemoCnn.Layers;
            var original = LayerFingerprints.Compute(baseModel, layers);
            Assert.Equal(layers.Count, original.Values.Distinct().Count());

            Assert.Equal(["conv1", "conv2", "conv3"], LayerFingerprints.Identical(LayerFingerprints.Compute(headModel, layers), original));
            Assert.Equal(["conv1"], LayerFingerprints.Identical(LayerFingerprints.Compute(midModel, layers), original));
            // Fingerprinting leaves the model as it was: no gradients tracked or kept.
            Assert.All(midModel.Network.parameters(), p => Assert.False(p.requires_grad));
            Assert.All(midModel.Network.parameters(), p => Assert.Null(p.grad));
        }
    }

    [Fact]
    public void Identical_weights_give_identical_fingerprints_and_different_seeds_share_none()
    {
        var (a, _) = Demo(3);
        var (b, _) = Demo(3);
        var (c, _) = Demo(4);
        using (a)
        using (b)
        using (c)
        {
            var layers = DemoCnn.Layers;
            Assert.Equal(layers, LayerFingerprints.Identical(LayerFingerprints.Compute(a, layers), LayerFingerprints.Compute(b, layers)));
            Assert.Empty(LayerFingerprints.Identical(LayerFingerprints.Compute(a, layers), LayerFingerprints.Compute(c, layers)));
        }
    }

    [Fact]
    public void Probe_responses_are_each_units_maximum_over_positions_on_the_first_images()
    {
        var (model, _) = Demo(5);
        using (model)
        {
            using var data = new InMemoryImages(40);
            var probes = ProbeActivations.Compute(model, data, ["conv2", "logits"], probeImages: 24, batchSize: 10);
            Assert.Equal((32, 24), (probes["conv2"].Units, probes["conv2"].Images));
            Assert.Equal((10, 24), (probes["logits"].Units, probes["logits"].Images));

            using var noGrad = no_grad();
            var batch = data.Read(0, 24);
            var direct = model.Activations(tensor(batch.Pixels).view(24, 1, 28, 28), ["conv2"])["conv2"];
            var expected = direct.amax([2, 3]);   // images × units
            for (int unit = 0; unit < 32; unit += 7)
                for (int image = 0; image < 24; image += 5)
                    Assert.Equal(expected[image, unit].item<float>(), probes["conv2"].Row(unit)[image], 1e-5);
        }
    }

    /// <summary>Deterministic 28×28 grey images held in memory.</summary>
    private sealed class InMemoryImages(int count) : IImageDataset
    {
        public string Name => "in-memory";
        public int Count => count;
        public int Channels => 1;
        public int Height => 28;
        public int Width => 28;
        public IReadOnlyList<string> ClassNames => [];

        public ImageBatch Read(int start, int n)
        {
            var pixels = new float[n * 784];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)((Math.Sin((start * 784 + i) * 0.37) + 1) / 2);
            return new ImageBatch(start, n, pixels, new int[n]);
        }

        public void Dispose() { }
    }
}
