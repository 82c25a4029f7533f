using Atlas.Abstractions;

namespace Atlas.Grains.Jobs;

/// <summary>
/// Splits a job into work units: layer × unit range for feature visualization, image ranges for the
/// dataset pass, then one reduce, one analysis unit per layer and one finalize unit. Pure, so planning is tested without a cluster.
/// </summary>
public static class JobPlanner
{
    public const string ReduceId = "reduce";
    public const string FinalizeId = "finalize";
    public const string ExamplesPhase = "dataset examples";
    public const string AnalysisPhase = "analysis";

    public static IReadOnlyList<WorkUnit> Plan(AtlasJobSpec spec)
    {
        var units = new List<WorkUnit>();
        foreach (var layer in spec.Layers)
        {
            for (int start = 0; start < layer.Units; start += spec.UnitsPerWorkUnit)
            {
                int end = Math.Min(layer.Units, start + spec.UnitsPerWorkUnit);
                units.Add(new WorkUnit($"fv/{layer.Name}/{start}-{end}", WorkKind.FeatureVis, layer.Name, start, end));
            }
        }
        for (int start = 0; start < spec.DatasetCount; start += spec.ImagesPerShard)
        {
            int end = Math.Min(spec.DatasetCount, start + spec.ImagesPerShard);
            units.Add(new WorkUnit($"examples/{start}-{end}", WorkKind.ExampleShard, null, start, end));
        }
        units.Add(new WorkUnit(ReduceId, WorkKind.ReduceExamples, null, 0, spec.DatasetCount));
        foreach (var layer in spec.Layers) units.Add(new WorkUnit($"analysis/{layer.Name}", WorkKind.Analysis, layer.Name, 0, layer.Units));
        units.Add(new WorkUnit(FinalizeId, WorkKind.Finalize, null, 0, 0));
        return units;
    }

    /// <summary>The progress bar a unit counts towards.</summary>
    public static string PhaseOf(WorkUnit unit) => unit.Kind switch
    {
        WorkKind.FeatureVis => $"feature vis {unit.Layer}",
        WorkKind.ExampleShard or WorkKind.ReduceExamples => ExamplesPhase,
        WorkKind.Analysis => AnalysisPhase,
        _ => "manifest",
    };

    /// <summary>
    /// Whether a unit may start given the others' states: the reduce waits for every shard, finalize
    /// for everything else. A unit that failed for good counts as settled, so the rest still finishes.
    /// </summary>
    public static bool IsRunnable(WorkUnit unit, IEnumerable<(WorkUnit Unit, bool Settled)> all) => unit.Kind switch
    {
        WorkKind.ReduceExamples => all.Where(u => u.Unit.Kind == WorkKind.ExampleShard).All(u => u.Settled),
        // Analysis reads the merged examples (class spread, Grad-CAM of each class's top images).
        WorkKind.Analysis => all.Where(u => u.Unit.Kind == WorkKind.ReduceExamples).All(u => u.Settled),
        WorkKind.Finalize => all.Where(u => u.Unit.Kind != WorkKind.Finalize).All(u => u.Settled),
        _ => true,
    };
}
