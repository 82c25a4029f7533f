using Atlas.Abstractions;
using Atlas.Grains.Jobs;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

/// <summary>
/// Where each unit of a job writes its manifest. The reduce and finalize units read exactly the keys of
/// their own job's units: an earlier run of the same atlas version with other unit ranges (another
/// imagesPerShard or channelsPerUnit, a smaller data set) leaves files under the same folders, and
/// listing the folder would merge them in.
/// </summary>
public static class UnitOutputs
{
    /// <summary>The manifest key <paramref name="unit"/> writes last, or null for the finalize unit (whose output is the atlas manifest).</summary>
    public static string? ManifestKey(AtlasKeys keys, WorkUnit unit) => unit.Kind switch
    {
        WorkKind.FeatureVis => keys.FeatureVisWork(unit.Layer!, unit.Start, unit.End),
        WorkKind.ExampleShard => keys.ExampleShardWork(unit.Start, unit.End),
        WorkKind.ReduceExamples => keys.MergedExamplesWork,
        WorkKind.Analysis => keys.AnalysisWork(unit.Layer!),
        _ => null,
    };

    /// <summary>The manifest keys of the job's units of one kind (and layer, when given), in plan order.</summary>
    public static IReadOnlyList<string> Of(AtlasJobSpec spec, WorkKind kind, string? layer = null)
    {
        var keys = new AtlasKeys(spec.Atlas, spec.Version);
        return JobPlanner.Plan(spec).Where(u => u.Kind == kind && (layer is null || u.Layer == layer))
            .Select(u => ManifestKey(keys, u)!).ToList();
    }
}
