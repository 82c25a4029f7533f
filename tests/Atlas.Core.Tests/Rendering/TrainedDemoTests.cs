using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

/// <summary>
/// The renderer's proof on a real trained model, with the demo config's own feature-vis settings:
/// class pictures are classified as their class, channel pictures beat the data set's best images.
/// </summary>
public class TrainedDemoTests(TrainedDemo demo, ITestOutputHelper output) : IClassFixture<TrainedDemo>
{
    private RenderSettings Settings => FeatureVisSettings.Render(demo.Config, demo.Model.Input);

    private static Tensor Pixels(IReadOnlyList<VisImage> images) =>
        tensor(images.SelectMany(i => i.Pixels).ToArray()).view(images.Count, images[0].Channels, images[0].Height, images[0].Width);

    [Fact]
    public void The_class_picture_of_every_class_is_classified_as_that_class()
    {
        var plan = UnitVisPlanner.Plan(demo.Catalog, "logits", 0, 10, new UnitVisOptions { Negative = false, Diversity = false, Seed = demo.Config.Seed }, demo.Model.ClassNames);
        var images = FeatureVisRenderer.Render(demo.Model, plan.Select(p => p.Item).ToList(), Settings);
        using var noGrad = no_grad();
        using var pixels = Pixels(images);
        using var logits = demo.Model.Logits(pixels);
        using var probabilities = nn.functional.softmax(logits, 1);
        for (int c = 0; c < 10; c++)
        {
            float p = probabilities[c, c].item<float>();
            output.WriteLine($"{demo.Model.ClassNames[c]}: p = {p:F4}");
            Assert.True(p >= 0.9, $"the picture of class {c} ({demo.Model.ClassNames[c]}) is that class with probability {p:F3}");
        }
    }

    [Fact]
    public void The_diversity_pictures_of_a_unit_are_less_alike_than_four_runs_without_the_penalty()
    {
        foreach (var (layer, unit) in new[] { ("conv2", 5), ("conv3", 9), ("logits", 3) })
        {
            var options = new UnitVisOptions { Channel = false, Negative = false, Neuron = false, DiversityWeight = demo.Config.DiversityWeight };
            var diverse = UnitVisPlanner.Plan(demo.Catalog, layer, unit, unit + 1, options, demo.Model.ClassNames);
            var main = UnitVisPlanner.Plan(demo.Catalog, layer, unit, unit + 1, new UnitVisOptions { Negative = false, Neuron = false, Diversity = false }, demo.Model.ClassNames)[0].Item.Objective;
            var plain = Enumerable.Range(0, 4).Select(k => new VisItem(main, UnitVisPlanner.SeedFor(0, $"plain {k}", k), k)).ToList();
            var withPenalty = FeatureVisRenderer.Render(demo.Model, diverse.Select(p => p.Item).ToList(), Settings);
            var without = FeatureVisRenderer.Render(demo.Model, plain, Settings);
            var gramLayer = layer == "logits" ? "conv3" : layer;
            double gramWith = DiversityTests.MeanGramCosine(demo.Model, withPenalty, gramLayer), gramWithout = DiversityTests.MeanGramCosine(demo.Model, without, gramLayer);
            double pixelWith = DiversityTests.MeanPixelCorrelation(withPenalty), pixelWithout = DiversityTests.MeanPixelCorrelation(without);
            output.WriteLine($"{layer}:{unit}: Gram cosine {gramWith:F3} vs {gramWithout:F3}; pixel correlation {pixelWith:F3} vs {pixelWithout:F3}");
            Assert.True(gramWith < gramWithout - 0.05, $"{layer}:{unit}: Gram cosine with the penalty {gramWith:F3}, without {gramWithout:F3}");
            Assert.True(pixelWith < pixelWithout, $"{layer}:{unit}: pixel correlation with the penalty {pixelWith:F3}, without {pixelWithout:F3}");
        }
    }

    /// <remarks>
    /// Two kinds of unit are held to a different standard, each named in the output: a unit that no
    /// test image activates measurably (its best is under 1 % of the layer's strongest response) has
    /// nothing to beat; and a first-layer "flat-field" unit — a 3×3 filter
    /// that a uniform image drives harder than its top 9 (the dark detectors, whose best stimulus is
    /// Fashion-MNIST's own black background) — must reach three quarters of its top 9, because
    /// Lucid's recipe grows a uniform field slowly: the ReLU override stops once part of the field
    /// fires, and the parts that do not fire get no gradient and stay as they are.
    /// The trained demo is the same model every run (the trainer is reproducible); on it the flat-field
    /// units reach 80 % of their top 9 or more. Demo models trained from other seeds do not all pass:
    /// some have a unit that fires at a single position of its top images and whose picture stays at 0
    /// (the override then climbs the channel's mean pre-activation, which can peak below zero everywhere).
    /// </remarks>
    [Fact]
    public void The_channel_picture_of_a_unit_activates_it_more_than_any_of_its_top_9_dataset_images()
    {
        var layers = demo.Catalog;
        using var data = demo.TestSet();
        var top = DatasetExampleScanner.Scan(demo.Model, data, layers, 0, data.Count, 9, 1000);

        var plan = layers.SelectMany(l => UnitVisPlanner.Plan(demo.Catalog, l.Name, 0, l.Channels,
            new UnitVisOptions { Negative = false, Neuron = false, Diversity = false, Seed = demo.Config.Seed }, demo.Model.ClassNames)).ToList();
        var images = FeatureVisRenderer.Render(demo.Model, plan.Select(p => p.Item).ToList(), Settings);
        var uniform = new[] { 0f, 0.25f, 0.5f, 0.75f, 1f }.Select(v => new VisImage(Enumerable.Repeat(v, 28 * 28).ToArray(), 1, 28, 28, 0, "", 0)).ToList();

        var failures = new List<string>();
        int row = 0, strict = 0, flat = 0, dead = 0;
        foreach (var layer in layers)
        {
            float strongest = Enumerable.Range(0, layer.Channels).Max(u => top[layer.Name].For(u)[0].Value);
            for (int unit = 0; unit < layer.Channels; unit++, row++)
            {
                var examples = top[layer.Name].For(unit).Select(h => new VisImage(data.Read(h.Image, 1).Pixels, 1, 28, 28, 0, "", 0)).ToList();
                float best = DiversityTests.ChannelValues(demo.Model, examples, layer.Name, unit).Max();
                float picture = DiversityTests.ChannelValues(demo.Model, [images[row]], layer.Name, unit)[0];
                float field = DiversityTests.ChannelValues(demo.Model, uniform, layer.Name, unit).Max();
                if (top[layer.Name].For(unit)[0].Value < 0.01f * strongest)
                {
                    dead++;
                    output.WriteLine($"{layer.Name}:{unit}: no test image activates it measurably (best {best:F3}, picture {picture:F3})");
                }
                else if (layer == layers[0] && field > best)
                {
                    flat++;
                    output.WriteLine($"{layer.Name}:{unit}: flat-field unit: uniform image {field:F3}, top 9 {best:F3}, picture {picture:F3}");
                    if (!(picture >= 0.75f * best)) failures.Add($"{layer.Name}:{unit} (flat field) picture {picture:F3} < 3/4 of top 9 {best:F3}");
                }
                else
                {
                    strict++;
                    if (!(picture > best)) failures.Add($"{layer.Name}:{unit} picture {picture:F3} ≤ best of top 9 {best:F3}");
                }
            }
        }
        output.WriteLine($"{strict} units held to 'more than any of the top 9', {flat} flat-field units, {dead} (nearly) dead on the data");
        foreach (var f in failures) output.WriteLine(f);
        Assert.Empty(failures);
        Assert.True(strict >= 0.9 * row, $"only {strict} of {row} units were compared strictly");
    }
}
