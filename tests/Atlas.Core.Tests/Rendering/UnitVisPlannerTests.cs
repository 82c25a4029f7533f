using Atlas.Core.Models;
using Atlas.Core.Rendering;

namespace Atlas.Core.Tests.Rendering;

public class UnitVisPlannerTests
{
    private static readonly IReadOnlyList<LayerInfo> Demo =
    [
        new("conv1", LayerKind.Conv, 16, 28, 28),
        new("conv2", LayerKind.Conv, 32, 14, 14),
        new("conv3", LayerKind.Conv, 64, 7, 7),
        new("logits", LayerKind.Linear, 10, 1, 1),
    ];

    [Fact]
    public void A_spatial_unit_gets_channel_negative_neuron_and_four_diversity_pictures()
    {
        var plan = UnitVisPlanner.Plan(Demo, "conv2", 3, 5, new UnitVisOptions());
        Assert.Equal(2 * 7, plan.Count);
        var unit3 = plan.Where(p => p.Unit == 3).ToList();
        Assert.Equal(["channel", "negative", "neuron", "diversity-0", "diversity-1", "diversity-2", "diversity-3"], unit3.Select(p => p.Kind));
        Assert.Equal("channel(conv2:3)", unit3[0].Item.Objective.Description);
        Assert.Equal("-channel(conv2:3)", unit3[1].Item.Objective.Description);
        Assert.Equal(ActivationTarget.PreRelu, unit3[1].Item.Target);
        Assert.Equal("neuron(conv2:3 @centre)", unit3[2].Item.Objective.Description);
        Assert.Equal("channel(conv2:3) + 2·diversity(conv2)·|rest|", unit3[3].Item.Objective.Description);
        // Diversity pictures of one unit share a group and have distinct seeds.
        Assert.Single(unit3.Skip(3).Select(p => p.Item.Group).Distinct());
        Assert.NotEqual(unit3[3].Item.Group, plan.First(p => p.Unit == 4 && p.Kind == "diversity-0").Item.Group);
        Assert.Equal(7, unit3.Select(p => p.Item.Seed).Distinct().Count());
    }

    [Fact]
    public void The_class_layer_gets_class_objectives_no_neuron_and_diversity_on_the_last_spatial_layer()
    {
        var plan = UnitVisPlanner.Plan(Demo, "logits", 0, 10, new UnitVisOptions { DiversityCount = 2 }, ["T-shirt", "Trouser"]);
        Assert.Equal(10 * 4, plan.Count);
        Assert.DoesNotContain(plan, p => p.Kind == "neuron");
        Assert.Equal("class(logits:1 \"Trouser\")", plan.First(p => p.Unit == 1).Item.Objective.Description);
        Assert.Equal("class(logits:5)", plan.First(p => p.Unit == 5).Item.Objective.Description);
        Assert.Contains("diversity(conv3)", plan.First(p => p.Kind == "diversity-0").Item.Objective.Description);
    }

    [Fact]
    public void Each_kind_can_be_turned_off_and_a_unit_always_keeps_a_picture()
    {
        var options = new UnitVisOptions { Channel = false, Negative = false, Diversity = false };
        Assert.All(UnitVisPlanner.Plan(Demo, "conv3", 0, 4, options), p => Assert.Equal("neuron", p.Kind));
        // The class layer has no neuron picture: its channel picture stands in.
        Assert.All(UnitVisPlanner.Plan(Demo, "logits", 0, 4, options), p => Assert.Equal("channel", p.Kind));
        Assert.Equal(4 * 3, UnitVisPlanner.Plan(Demo, "conv3", 0, 4, new UnitVisOptions { Diversity = false }).Count);
    }

    [Fact]
    public void Units_outside_the_layer_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => UnitVisPlanner.Plan(Demo, "conv1", 10, 17, new UnitVisOptions()));
        Assert.Throws<ArgumentException>(() => UnitVisPlanner.Plan(Demo, "conv9", 0, 1, new UnitVisOptions()));
    }
}
