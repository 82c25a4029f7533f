using System.Text.Json;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Reads the GoogLeNet checkpoint PyTorch wrote (fp16 .pth and .safetensors) and reproduces what PyTorch
/// computed from it: the first logits, the top-5 classes and every per-layer statistic in reference.json.
/// reference.json's activations are the Inception modules' outputs, i.e. after the ReLUs, which is what
/// the atlas layers return by default. Tolerance: 1e-3 relative, with an absolute floor of 1e-4 for
/// values near zero (a channel mean of 2e-5 cannot be held to 2e-8 across two libtorch builds).
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class GoogLeNetInteropTests
{
    private const double Relative = 1e-3;
    private const double AbsoluteFloor = 1e-4;

    [GoogLeNetFixtureFact]
    public void Pth_checkpoint_reproduces_pytorch() => Reproduces("googlenet_fp16.pth", "PyTorch zip");

    [GoogLeNetFixtureFact]
    public void Safetensors_checkpoint_reproduces_pytorch() => Reproduces("googlenet_fp16.safetensors", "safetensors");

    /// <summary>
    /// Channels-last is a change of strides only: the network must compute the same values, and the layout
    /// must carry through every layer (otherwise the GPU would still transpose around each convolution).
    /// </summary>
    [GoogLeNetFixtureFact]
    public void Channels_last_network_reproduces_pytorch_and_keeps_the_layout_through_every_layer() =>
        Reproduces("googlenet_fp16.safetensors", "safetensors", channelsLast: true);

    private static void Reproduces(string file, string format, bool channelsLast = false)
    {
        var folder = RepositoryPaths.GoogLeNetFixture;
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "reference.json")));
        var root = reference.RootElement;
        // The fixture's stated preprocessing: RGB/255, ImageNet mean/std (applied inside the model), 224×224, no resize.
        Assert.StartsWith("RGB/255, minus mean [0.485,0.456,0.406], divided by std [0.229,0.224,0.225], 224x224, no resize", root.GetProperty("preprocess").GetString());

        var (model, report) = ModelLoader.LoadWithReport(
            new ModelConfig { Architecture = "inceptionv1", Checkpoint = Path.Combine(folder, file), TransformInput = false, MemoryFormat = channelsLast ? "channelsLast" : "contiguous" }, []);
        using var _ = model;
        Assert.Equal(format, report.Format);
        Assert.Equal(344, report.Loaded);
        Assert.Equal(20, report.AuxiliaryIgnored.Count);
        Assert.Empty(report.Unexpected);
        Assert.Contains("Float16", report.StoredTypes);
        Assert.Equal(1000, report.Classes);
        Assert.Equal(channelsLast, ChannelsLast.Uses(model.Network));
        // Of the 57 convolutions, the 37 with 1×1 kernels are in both layouts at once; the loader converted
        // conv1, conv3 and the two 3×3 convolutions of each Inception block.
        if (channelsLast) Assert.Equal(0, ChannelsLast.Apply(model.Network));

        var pixels = new float[3 * 224 * 224];
        Assert.Null(ImageFileDecoder.TryDecode(Path.Combine(folder, "input.png"), new ImageGeometry(224, 3, 224), pixels));
        using var noGrad = no_grad();
        using var input = tensor(pixels).view(1, 3, 224, 224);

        using (var logits = model.Logits(input))
        {
            var values = logits[0].data<float>().ToArray();
            AssertClose(root.GetProperty("logits_first10"), values.Take(10).ToArray(), "logits");
            var top5 = values.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(5).Select(p => p.i).ToArray();
            Assert.Equal(root.GetProperty("top5").EnumerateArray().Select(e => e.GetInt32()).ToArray(), top5);
        }

        var layers = root.GetProperty("layers");
        var names = layers.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(12, names.Count);
        var activations = model.Activations(input, names);
        try
        {
            foreach (var layer in layers.EnumerateObject())
            {
                var activation = activations[layer.Name];
                var expectedShape = layer.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                Assert.Equal(expectedShape, activation.shape.Skip(1).ToArray());
                if (channelsLast) Assert.True(ChannelsLast.IsChannelsLast(activation), $"{layer.Name} is not channels-last: strides {string.Join(",", activation.stride())}");
                using var means = activation[0].mean([1, 2]);
                using var maxima = activation[0].amax([1, 2]);
                AssertClose(layer.Value.GetProperty("channel_mean_first8"), means.data<float>().Take(8).ToArray(), $"{layer.Name} channel means");
                AssertClose(layer.Value.GetProperty("channel_max_first8"), maxima.data<float>().Take(8).ToArray(), $"{layer.Name} channel maxima");
                using var nonPositive = activation.le(0).to(ScalarType.Float32).mean();
                AssertClose(layer.Value.GetProperty("fraction_zero"), [nonPositive.item<float>()], $"{layer.Name} fraction ≤ 0");
            }
        }
        finally
        {
            foreach (var t in activations.Values) t.Dispose();
        }
    }

    private static void AssertClose(JsonElement expected, float[] actual, string what)
    {
        var wanted = expected.ValueKind == JsonValueKind.Array ? expected.EnumerateArray().Select(e => e.GetDouble()).ToArray() : [expected.GetDouble()];
        Assert.Equal(wanted.Length, actual.Length);
        for (int i = 0; i < wanted.Length; i++)
        {
            double tolerance = Math.Max(Relative * Math.Abs(wanted[i]), AbsoluteFloor);
            Assert.True(Math.Abs(actual[i] - wanted[i]) <= tolerance, $"{what}[{i}]: PyTorch {wanted[i]:R}, here {actual[i]:R} (tolerance {tolerance:G3})");
        }
    }
}
