using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Atlas.Core.Tests.Models;

namespace Atlas.Core.Tests.Rendering;

/// <summary>
/// Rendering at an Inception block with each branch computed only for the pictures that read it
/// (<see cref="RenderSettings.BranchRows"/>) against the whole block for every picture.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class BranchRowsTests
{
    [Fact]
    public void Pictures_at_an_Inception_block_are_the_same_when_each_branch_runs_only_for_its_own_pictures()
    {
        using var model = WorkingCopyNetworks.Build("googlenet", seed: 43, channelsLast: true);
        model.FoldBatchNorm();
        var catalog = LayerCatalog.Measure(model);
        // Units 62-65 of inception3a: two in the 1×1 branch (channels 0-63), two in the 3×3 (64-191), each with its
        // channel, negative (pre-ReLU), neuron and four diversity pictures; the diversity ones read the whole layer.
        var items = UnitVisPlanner.Plan(catalog, "inception3a", 62, 66, new UnitVisOptions()).Select(p => p.Item).ToList();
        var plan = BranchRowPlan.For(model, items);
        Assert.NotNull(plan);
        Assert.Equal([6L, 6L, 0L, 0L], plan.Rows.PerBranch);
        Assert.Equal(16, plan.Rows.All);
        Assert.Null(BranchRowPlan.For(model, items.Where(i => i.Objective.Description.Contains("diversity")).ToList()));
        Assert.Null(BranchRowPlan.For(model, UnitVisPlanner.Plan(catalog, "conv3", 0, 2, new UnitVisOptions()).Select(p => p.Item).ToList()));
        var settings = new RenderSettings { Steps = 6 };

        var byBranch = FeatureVisRenderer.Render(model, items, settings);
        var whole = FeatureVisRenderer.Render(model, items, settings with { BranchRows = false });

        for (int i = 0; i < items.Count; i++)
        {
            // Handed back in the caller's order, not the plan's.
            Assert.Equal(whole[i].ObjectiveDescription, byBranch[i].ObjectiveDescription);
            Assert.Equal(items[i].Seed, byBranch[i].Seed);
            Assert.True(Math.Abs(whole[i].Objective - byBranch[i].Objective) <= 1e-3 * Math.Max(1, Math.Abs(whole[i].Objective)),
                $"{whole[i].ObjectiveDescription}: objective {byBranch[i].Objective} against {whole[i].Objective}");
            float gap = whole[i].Pixels.Zip(byBranch[i].Pixels, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(gap <= 1e-3f, $"{whole[i].ObjectiveDescription}: pixels differ by up to {gap}");
        }
    }
}
