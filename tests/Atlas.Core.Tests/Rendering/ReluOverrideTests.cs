using Atlas.Core.Rendering;
using Atlas.Core.Tests.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

/// <summary>Units that are dead on the starting noise must still get a picture.</summary>
// Its dead unit and thresholds hold for the seeded network only: a parallel test drawing from or seeding TorchSharp's
// process-wide generator while the network is built would give it other weights.
[Collection(GlobalTorchRandomCollection.Name)]
public class ReluOverrideTests
{
    private static TinyRgbModel ModelWithDeadUnit()
    {
        var model = new TinyRgbModel();
        // A bias this low keeps conv1:2 below zero on every near-grey image, but a strong enough pattern can lift it.
        model.SetConv1Bias(2, -1.5f);
        return model;
    }

    [Fact]
    public void With_the_gradient_override_a_dead_unit_comes_alive()
    {
        using var model = ModelWithDeadUnit();
        // The centre neuron: one position, so the test needs few steps to lift it past zero.
        var item = new VisItem(Objectives.Neuron("conv1", 2), 7);
        var start = FeatureVisRenderer.Render(model, [item], new RenderSettings { Steps = 0 });
        Assert.Equal(0, start[0].Objective);
        var withOverride = FeatureVisRenderer.Render(model, [item], new RenderSettings { Steps = 64 });
        Assert.True(withOverride[0].Objective > 0.5, $"the dead unit reached only {withOverride[0].Objective}");
        var without = FeatureVisRenderer.Render(model, [item], new RenderSettings { Steps = 64, ReluGradientOverride = false });
        Assert.Equal(0, without[0].Objective); // the plain ReLU passes no gradient: nothing moves
        Assert.Equal(start[0].Pixels, without[0].Pixels);
    }

    [Fact]
    public void A_pre_relu_target_reads_the_value_below_zero()
    {
        using var model = ModelWithDeadUnit();
        var rectified = FeatureVisRenderer.Render(model, [new VisItem(-Objectives.Channel("conv1", 2), 7)], new RenderSettings { Steps = 0 });
        var pre = FeatureVisRenderer.Render(model, [new VisItem(-Objectives.Channel("conv1", 2), 7, Target: ActivationTarget.PreRelu)], new RenderSettings { Steps = 0 });
        Assert.Equal(0, rectified[0].Objective);
        Assert.True(pre[0].Objective > 1, $"minus the pre-activation should be about 1.5, was {pre[0].Objective}");
        Assert.EndsWith("(pre-ReLU)", pre[0].ObjectiveDescription);
    }

    [Fact]
    public void The_override_gradient_is_the_relu_gradient_for_live_images_and_redirected_for_dead_ones()
    {
        TorchRuntime.Initialize();
        // Row 0 has a live entry; row 1 is dead everywhere.
        using var x = tensor(new float[] { 1, -1, -2, -3 }).view(2, 2).requires_grad_(true);
        using var y = RedirectedRelu.Apply(x);
        Assert.Equal([1f, 0f, 0f, 0f], y.data<float>().ToArray());
        // Loss gradient (−1, −1) asks every entry to rise; row 1 gets it, row 0 only where the ReLU passes it.
        using var upstream = tensor(new float[] { -1, -1, -1, 1 }).view(2, 2);
        y.backward([upstream]);
        // Row 1: entry (1,1) has a positive loss gradient on a negative input (would push it lower): blocked.
        Assert.Equal([-1f, 0f, -1f, 0f], x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void The_probe_tells_rectified_layers_from_linear_ones()
    {
        using var model = TestModels.RandomDemo();
        var kinds = ReluProbe.Classify(model, ["conv1", "conv3", "logits"], 28, 28, CPU);
        Assert.Equal(LayerRelu.Rectified, kinds["conv1"]);
        Assert.Equal(LayerRelu.Rectified, kinds["conv3"]);
        Assert.Equal(LayerRelu.Linear, kinds["logits"]);
    }
}
