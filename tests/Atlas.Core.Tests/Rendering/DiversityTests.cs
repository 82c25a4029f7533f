using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

// Its margins hold for the seeded network only: a parallel test drawing from or seeding TorchSharp's process-wide
// generator while the network is built would give it other weights.
[Collection(GlobalTorchRandomCollection.Name)]
public class DiversityTests
{
    /// <summary>Mean pairwise cosine similarity of the images' channel Gram matrices at a layer (rectified activations).</summary>
    public static double MeanGramCosine(IAtlasModel model, IReadOnlyList<VisImage> images, string layer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var first = images[0];
        var pixels = tensor(images.SelectMany(i => i.Pixels).ToArray()).view(images.Count, first.Channels, first.Height, first.Width);
        var activations = model.Activations(pixels, [layer]);
        var a = activations[layer];
        var flat = a.reshape(a.shape[0], a.shape[1], -1);
        var gram = nn.functional.normalize(flat.bmm(flat.transpose(1, 2)).reshape(a.shape[0], -1), p: 2, dim: 1);
        var similarity = gram.mm(gram.t());
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < images.Count; i++)
            for (int j = i + 1; j < images.Count; j++, pairs++)
                sum += similarity[i, j].item<float>();
        a.Dispose();
        return sum / pairs;
    }

    /// <summary>The rectified channel objective of each image.</summary>
    public static float[] ChannelValues(IAtlasModel model, IReadOnlyList<VisImage> images, string layer, int unit)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var first = images[0];
        var pixels = tensor(images.SelectMany(i => i.Pixels).ToArray()).view(images.Count, first.Channels, first.Height, first.Width);
        var activations = model.Activations(pixels, [layer]);
        var values = Objectives.Channel(layer, unit).Evaluate(activations).data<float>().ToArray();
        foreach (var a in activations.Values) a.Dispose();
        return values;
    }

    /// <summary>Mean pairwise Pearson correlation of the pixels.</summary>
    public static double MeanPixelCorrelation(IReadOnlyList<VisImage> images)
    {
        double Correlation(float[] x, float[] y)
        {
            double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < x.Length; i++)
            {
                sxy += (x[i] - mx) * (y[i] - my);
                sxx += (x[i] - mx) * (x[i] - mx);
                syy += (y[i] - my) * (y[i] - my);
            }
            return sxy / Math.Sqrt(sxx * syy + 1e-12);
        }
        var values = new List<double>();
        for (int i = 0; i < images.Count; i++)
            for (int j = i + 1; j < images.Count; j++)
                values.Add(Correlation(images[i].Pixels, images[j].Pixels));
        return values.Average();
    }

    /// <summary>The RGB path of the penalty (colour decorrelation, random weights); the trained demo's grayscale units are in <see cref="TrainedDemoTests"/>.</summary>
    [Theory]
    [InlineData("rgb", "conv2", 3)]
    [InlineData("rgb", "conv2", 11)]
    public void The_diversity_pictures_of_a_unit_are_less_alike_than_four_runs_without_the_penalty(string modelName, string layer, int unit)
    {
        using var model = TestModels.Create(modelName);
        var settings = new RenderSettings { Steps = 256 };
        var catalog = LayerCatalog.Measure(model);
        var diverse = UnitVisPlanner.Plan(catalog, layer, unit, unit + 1, new UnitVisOptions { Channel = false, Negative = false, Neuron = false });
        Assert.Equal(4, diverse.Count);
        // Four independent runs: same objective, four seeds, no penalty.
        var plain = Enumerable.Range(0, 4).Select(k => new VisItem(Objectives.Channel(layer, unit), UnitVisPlanner.SeedFor(0, $"plain {k}", k), k)).ToList();
        var withPenalty = FeatureVisRenderer.Render(model, diverse.Select(p => p.Item).ToList(), settings);
        var without = FeatureVisRenderer.Render(model, plain, settings);

        double gramWith = MeanGramCosine(model, withPenalty, layer), gramWithout = MeanGramCosine(model, without, layer);
        double pixelWith = MeanPixelCorrelation(withPenalty), pixelWithout = MeanPixelCorrelation(without);
        Assert.True(gramWith < gramWithout - 0.05, $"Gram cosine with the penalty {gramWith:F3}, without {gramWithout:F3}");
        Assert.True(pixelWith < pixelWithout, $"pixel correlation with the penalty {pixelWith:F3}, without {pixelWithout:F3}");
        // Diversity must not cost the pictures their point: they still drive the unit.
        Assert.All(ChannelValues(model, withPenalty, layer, unit), v => Assert.True(v > 0, $"a diversity picture left {layer}:{unit} at {v}"));
    }
}
