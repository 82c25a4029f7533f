using Atlas.Core.Models;
using Atlas.Core.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

/// <summary>Lucid's own kind of test: for every objective and parameterization, a few steps of ascent raise the objective.</summary>
public class ObjectiveTests
{
    public static TheoryData<string, string, ParameterizationKind> Cases()
    {
        var data = new TheoryData<string, string, ParameterizationKind>();
        foreach (var model in new[] { "demo", "rgb" })
            foreach (var objective in new[] { "channel", "neuron", "class", "deepdream", "direction", "diversity", "negative", "composed" })
                foreach (var kind in new[] { ParameterizationKind.Pixel, ParameterizationKind.Fourier })
                    data.Add(model, objective, kind);
        return data;
    }

    /// <summary>A batch of four pictures of the named objective, each with its own seed (one diversity group).</summary>
    private static Objective Build(string objective, IAtlasModel model, int i)
    {
        var spatial = model.LayerNames[1]; // conv2 in both models
        var logits = model.LayerNames[^1];
        return objective switch
        {
            "channel" => Objectives.Channel(spatial, 1 + i),
            "neuron" => Objectives.Neuron(spatial, 2 + i),
            "class" => Objectives.ClassLogit(logits, i),
            "deepdream" => Objectives.DeepDream(spatial),
            "direction" => Objectives.Direction(spatial, Enumerable.Range(0, Channels(model, spatial)).Select(c => (float)Math.Cos(c + i)).ToArray()),
            "diversity" => Objectives.Diversity(spatial),
            "negative" => Objectives.Negative(Objectives.Channel(spatial, 3 + i)),
            "composed" => Objectives.Channel(spatial, i) + 0.5 * Objectives.Channel(model.LayerNames[0], i) - Objectives.DeepDream(model.LayerNames[0]),
            _ => throw new ArgumentOutOfRangeException(nameof(objective)),
        };
    }

    private static int Channels(IAtlasModel model, string layer) => LayerCatalog.Measure(model).Single(l => l.Name == layer).Channels;

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_few_steps_raise_the_objective(string modelName, string objective, ParameterizationKind kind)
    {
        using var model = TestModels.Create(modelName);
        // A negative picture reads the pre-ReLU value (as the atlas renders it): below zero the rectified output is flat.
        var target = objective == "negative" ? ActivationTarget.PreRelu : ActivationTarget.Rectified;
        var items = Enumerable.Range(0, 4).Select(i => new VisItem(Build(objective, model, i), (ulong)(100 + i), Target: target)).ToList();
        var settings = new RenderSettings { Parameterization = kind, Transforms = TransformSettings.None, LearningRate = 0.05 };
        var before = FeatureVisRenderer.Render(model, items, settings with { Steps = 0 });
        var after = FeatureVisRenderer.Render(model, items, settings with { Steps = 32 });
        if (objective == "diversity")
        {
            // The penalty is a property of the group: its sum (Lucid's value) must rise.
            Assert.True(after.Sum(a => a.Objective) > before.Sum(b => b.Objective),
                $"diversity went from {before.Sum(b => b.Objective):F4} to {after.Sum(a => a.Objective):F4}");
            return;
        }
        for (int i = 0; i < items.Count; i++)
            Assert.True(after[i].Objective > before[i].Objective, $"{items[i].Objective.Description} ({kind}) went from {before[i].Objective:F4} to {after[i].Objective:F4}");
    }

    [Fact]
    public void Objectives_compose_with_readable_descriptions()
    {
        var channel = Objectives.Channel("conv3", 5);
        Assert.Equal("channel(conv3:5)", channel.Description);
        Assert.Equal("-channel(conv3:5)", (-channel).Description);
        Assert.Equal("channel(conv3:5) + 100·diversity(conv3)", (channel + 100 * Objectives.Diversity("conv3")).Description);
        Assert.Equal("-(channel(conv3:5) + 2·deepdream(conv2))", (-(channel + 2 * Objectives.DeepDream("conv2"))).Description);
        Assert.Equal("channel(conv3:5) - neuron(conv3:1 @centre)", (channel - Objectives.Neuron("conv3", 1)).Description);
        Assert.Equal("class(logits:3 \"Dress\")", Objectives.ClassLogit("logits", 3, "Dress").Description);
        Assert.Equal(["conv3", "conv2"], (channel + Objectives.DeepDream("conv2")).Layers);
        var weights = (2 * (channel - Objectives.Channel("conv3", 1))).Terms.Select(t => t.Weight).ToArray();
        Assert.Equal([2.0, -2.0], weights);
    }

    [Fact]
    public void Objective_values_match_their_definitions_on_known_activations()
    {
        TorchRuntime.Initialize();
        // B=2, C=3, 2×2 positions, values chosen so every definition is easy to check by hand.
        using var conv = arange(24, dtype: float32).view(2, 3, 2, 2) - 10;
        using var fc = tensor(new float[] { 1, -2, 3, 4, 5, -6 }).view(2, 3);
        var activations = new Dictionary<string, Tensor> { ["conv"] = conv, ["fc"] = fc };
        float[] Values(Objective o)
        {
            using var v = o.Evaluate(activations);
            return v.data<float>().ToArray();
        }
        // channel 1: image 0 holds 4..7 − 10 → mean −4.5; image 1 holds 16..19 − 10 → 7.5.
        Assert.Equal([-4.5f, 7.5f], Values(Objectives.Channel("conv", 1)));
        // neuron at the centre of 2×2 is (1, 1): the last value of each channel-1 block.
        Assert.Equal([-3f, 9f], Values(Objectives.Neuron("conv", 1)));
        Assert.Equal([-2f, 5f], Values(Objectives.ClassLogit("fc", 1)));
        Assert.Equal([2f, -5f], Values(-Objectives.Channel("fc", 1) + 0 * Objectives.Channel("fc", 0)));
        // deepdream: mean of squares over all 12 values of each image.
        var expected0 = Enumerable.Range(0, 12).Select(v => (v - 10.0) * (v - 10.0)).Average();
        Assert.Equal(expected0, Values(Objectives.DeepDream("conv"))[0], 3);
        // direction (1, 0, −1): channel 0 minus channel 2, averaged over positions: −8 for every image.
        Assert.Equal([-8f, -8f], Values(Objectives.Direction("conv", [1, 0, -1])));
        Assert.Equal([1f - 3f, 4f + 6f], Values(Objectives.Direction("fc", [1, 0, -1])));
        // Two identical images have cosine 1: each gets −1/2 (group of two), Lucid's −Σ_{i≠j}/B = −1.
        using var twins = ones(2, 3, 2, 2);
        using var twinValues = Objectives.Diversity("twins").Evaluate(new Dictionary<string, Tensor> { ["twins"] = twins });
        Assert.All(twinValues.data<float>().ToArray(), v => Assert.Equal(-0.5, v, 1e-5));
    }

    [Fact]
    public void A_relative_term_is_weighted_by_the_magnitude_of_the_rest_of_its_objective()
    {
        TorchRuntime.Initialize();
        using var conv = arange(24, dtype: float32).view(2, 3, 2, 2) - 10;
        var activations = new Dictionary<string, Tensor> { ["conv"] = conv };
        var objective = Objectives.Channel("conv", 1) + 2 * Objectives.DeepDream("conv").Relative();
        Assert.Equal("channel(conv:1) + 2·deepdream(conv)·|rest|", objective.Description);
        using var values = objective.Evaluate(activations);
        using var channel = Objectives.Channel("conv", 1).Evaluate(activations);
        using var dream = Objectives.DeepDream("conv").Evaluate(activations);
        for (int i = 0; i < 2; i++)
        {
            double expected = channel[i].item<float>() + 2 * Math.Abs(channel[i].item<float>()) * dream[i].item<float>();
            Assert.Equal(expected, values[i].item<float>(), 2);
        }
    }

    [Fact]
    public void A_batch_of_different_objectives_equals_each_objective_alone()
    {
        TorchRuntime.Initialize();
        random.manual_seed(5);
        using var conv = randn(4, 6, 3, 3);
        var activations = new Dictionary<string, Tensor> { ["conv"] = conv };
        var rows = new[]
        {
            Objectives.Channel("conv", 2),
            -Objectives.Neuron("conv", 4),
            Objectives.DeepDream("conv") + 3 * Objectives.Channel("conv", 0),
            Objectives.Direction("conv", [1, 2, 3, 4, 5, 6]),
        };
        using var batch = ObjectiveBatch.Compile(rows, groups: null);
        using var together = batch.Evaluate(activations);
        for (int i = 0; i < rows.Length; i++)
        {
            using var alone = rows[i].Evaluate(activations);
            Assert.Equal(alone[i].item<float>(), together[i].item<float>(), 1e-5);
        }
        Assert.Equal(["conv"], batch.Layers);
    }

    [Fact]
    public void Diversity_compares_images_of_the_same_group_only()
    {
        TorchRuntime.Initialize();
        random.manual_seed(6);
        using var conv = randn(4, 3, 2, 2).abs();
        var activations = new Dictionary<string, Tensor> { ["conv"] = conv };
        var diversity = Objectives.Diversity("conv");
        using var grouped = ObjectiveBatch.Compile([diversity, diversity, diversity, diversity], [0, 0, 1, 1]);
        using var values = grouped.Evaluate(activations);
        using var firstPair = diversity.Evaluate(new Dictionary<string, Tensor> { ["conv"] = conv.narrow(0, 0, 2) });
        Assert.Equal(firstPair[0].item<float>(), values[0].item<float>(), 1e-5);
        Assert.Equal(values[0].item<float>(), values[1].item<float>(), 1e-5);
    }

    [Fact]
    public void The_renderer_asks_the_model_only_for_the_layers_its_objectives_read()
    {
        using var inner = TestModels.RandomDemo();
        var model = new RecordingModel(inner);
        FeatureVisRenderer.Render(model, [new VisItem(Objectives.Channel("conv1", 0) + Objectives.Channel("conv2", 0), 1)], new RenderSettings { Steps = 2 });
        Assert.All(model.Requests, r => Assert.Equal(["conv1", "conv2"], r.OrderBy(x => x)));
    }

    [Fact]
    public void Bad_objectives_fail_with_a_clear_message()
    {
        using var model = TestModels.RandomDemo();
        var error = Assert.ThrowsAny<Exception>(() => FeatureVisRenderer.Render(model, [new VisItem(Objectives.Channel("conv1", 99), 1)], new RenderSettings { Steps = 1 }));
        Assert.Contains("channel 99 is out of range", error.Message);
        var unknown = Assert.Throws<AtlasInputException>(() => FeatureVisRenderer.Render(model, [new VisItem(Objectives.Channel("conv9", 0), 1)], new RenderSettings { Steps = 1 }));
        Assert.Contains("conv9", unknown.Message);
    }

    /// <summary>Passes through to a model and records which layers each forward asked for.</summary>
    private sealed class RecordingModel(IAtlasModel inner) : IAtlasModel
    {
        public List<string[]> Requests { get; } = [];
        public string Architecture => inner.Architecture;
        public InputSpec Input => inner.Input;
        public IReadOnlyList<string> LayerNames => inner.LayerNames;
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public TorchSharp.torch.nn.Module Network => inner.Network;
        public Tensor Logits(Tensor pixels) => inner.Logits(pixels);
        public void Dispose() { }

        public IReadOnlyDictionary<string, Tensor> Activations(Tensor pixels, IReadOnlyCollection<string> layers, bool preActivation = false)
        {
            Requests.Add(layers.ToArray());
            return inner.Activations(pixels, layers, preActivation);
        }
    }
}
