using Atlas.Core.Analysis;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atlas.Core.Tests.Analysis;

/// <summary>
/// Grad-CAM against a reference computed here without autograd: α_k = mean_ij ∂y/∂A_kij is the
/// derivative of y along the all-ones direction of channel k divided by h·w, taken by central finite
/// differences in float64 on the rest of the network written out by hand.
/// </summary>
// Builds networks from TorchSharp's global generator: kept apart from tests that seed it.
[Collection(GlobalTorchRandomCollection.Name)]
public class GradCamTests
{
    private const double Epsilon = 1e-5;

    [Theory]
    [InlineData("stem", GradCamRelu.Sum)]
    [InlineData("stem", GradCamRelu.PerChannel)]
    [InlineData("mid", GradCamRelu.Sum)]
    [InlineData("mid", GradCamRelu.PerChannel)]
    public void Hooked_model_matches_finite_differences(string layer, GradCamRelu relu)
    {
        using var scope = NewDisposeScope();
        using var model = new TinyHookedModel();
        // A stem that never dies: otherwise mid sees flat regions, its max-pool windows tie exactly, and a
        // finite difference along a whole channel is no longer the gradient (the max of ties is not differentiable).
        var parameters = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            parameters["stem.conv.weight"].abs_();
            parameters["stem.conv.bias"].fill_(0.05);
        }
        var pixels = rand(2, 1, 6, 6, generator: new Generator(5));
        int[] classes = [1, 0];
        var results = GradCam.Compute(LayerProbes.For(model), pixels, layer, classes, relu);

        var activations = model.Activations(pixels, [layer]);
        var a = activations[layer].to(float64);
        Func<Tensor, Tensor> rest = layer == "stem"
            ? x => Head(model, F.max_pool2d(F.relu(F.conv2d(x, model.Weight("mid.conv.weight"), model.Weight("mid.conv.bias"), padding: [1, 1])), 2))
            : x => Head(model, F.max_pool2d(x, 2));
        for (int i = 0; i < classes.Length; i++)
        {
            var expected = Reference(rest, a[i], classes[i], relu);
            AssertClose(expected, results[i].Heatmap, 1e-4);
            Assert.Equal(classes[i], results[i].Class);
            Assert.Equal(rest(a[i].unsqueeze(0))[0, classes[i]].item<double>(), results[i].Logit, 1e-4);
        }
    }

    [Fact]
    public void Demo_model_matches_finite_differences_and_top_picks_the_highest_logit()
    {
        using var scope = NewDisposeScope();
        TorchRuntime.Initialize();
        random.manual_seed(11);
        var network = new DemoCnn();
        network.eval();
        using var model = new DemoCnnModel(network, FashionMnist.ClassNames);
        var pixels = rand(1, 1, 28, 28, generator: new Generator(8));
        var top = GradCam.Compute(LayerProbes.For(model), pixels, "conv2")[0];
        using var logits = model.Logits(pixels);
        Assert.Equal(logits.argmax(1).item<long>(), top.Class);
        Assert.Equal(14, top.Height);
        Assert.Equal(14, top.Width);

        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to(float64));
        Tensor Rest(Tensor x) => F.linear(F.relu(F.conv2d(F.max_pool2d(x, 2), parameters["conv3.weight"], parameters["conv3.bias"], padding: [1, 1])).flatten(1),
            parameters["logits.weight"], parameters["logits.bias"]);
        var a = model.Activations(pixels, ["conv2"])["conv2"].to(float64);
        foreach (var relu in new[] { GradCamRelu.Sum, GradCamRelu.PerChannel })
        {
            var result = GradCam.Compute(LayerProbes.For(model), pixels, "conv2", [3], relu)[0];
            AssertClose(Reference(Rest, a[0], 3, relu), result.Heatmap, 1e-4);
        }
    }

    [Fact]
    public void The_two_relu_placements_give_different_maps()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyHookedModel();
        var pixels = rand(1, 1, 6, 6, generator: new Generator(5));
        var sum = GradCam.Compute(LayerProbes.For(model), pixels, "stem", [1], GradCamRelu.Sum)[0].Heatmap.SelectMany(r => r).ToArray();
        var perChannel = GradCam.Compute(LayerProbes.For(model), pixels, "stem", [1], GradCamRelu.PerChannel)[0].Heatmap.SelectMany(r => r).ToArray();
        Assert.True(sum.Zip(perChannel).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the test network must have channels with negative contributions");
        Assert.Equal(1f, perChannel.Max(), 1e-5);
    }

    [Fact]
    public void Bad_layers_and_classes_are_input_errors()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyHookedModel();
        var probe = LayerProbes.For(model);
        var pixels = rand(1, 1, 6, 6);
        Assert.Contains("no layer 'nope'", Assert.Throws<AtlasInputException>(() => GradCam.Compute(probe, pixels, "nope")).Message);
        Assert.Contains("no spatial map", Assert.Throws<AtlasInputException>(() => GradCam.Compute(probe, pixels, "head")).Message);
        Assert.Contains("class 9", Assert.Throws<AtlasInputException>(() => GradCam.Compute(probe, pixels, "mid", [9])).Message);
    }

    private static Tensor Head(TinyHookedModel model, Tensor pooled) => F.linear(pooled.flatten(1), model.Weight("head.weight"), model.Weight("head.bias"));

    /// <summary>The Grad-CAM map of one image (activation K×h×w, float64) from finite differences of <paramref name="rest"/>.</summary>
    private static float[][] Reference(Func<Tensor, Tensor> rest, Tensor activation, int cls, GradCamRelu relu)
    {
        long k = activation.shape[0], h = activation.shape[1], w = activation.shape[2];
        var alpha = new double[k];
        for (int c = 0; c < k; c++)
        {
            var direction = zeros_like(activation);
            direction[c] = ones(h, w, dtype: float64);
            double plus = rest((activation + Epsilon * direction).unsqueeze(0))[0, cls].item<double>();
            double minus = rest((activation - Epsilon * direction).unsqueeze(0))[0, cls].item<double>();
            alpha[c] = (plus - minus) / (2 * Epsilon) / (h * w);
        }
        var values = activation.contiguous().data<double>().ToArray();
        var map = new double[h * w];
        for (int p = 0; p < h * w; p++)
        {
            double total = 0;
            for (int c = 0; c < k; c++)
            {
                double term = alpha[c] * values[c * h * w + p];
                total += relu == GradCamRelu.PerChannel ? Math.Max(term, 0) : term;
            }
            map[p] = Math.Max(total, 0);
        }
        double max = map.Max();
        return Enumerable.Range(0, (int)h).Select(y => Enumerable.Range(0, (int)w).Select(x => (float)(max > 0 ? map[y * w + x] / max : 0)).ToArray()).ToArray();
    }

    private static void AssertClose(float[][] expected, float[][] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.SelectMany(r => r).Max() > 0, "the reference map must not be empty");
        for (int y = 0; y < expected.Length; y++)
            for (int x = 0; x < expected[y].Length; x++)
                Assert.True(Math.Abs(expected[y][x] - actual[y][x]) <= tolerance, $"({y},{x}): expected {expected[y][x]}, got {actual[y][x]}");
    }
}
