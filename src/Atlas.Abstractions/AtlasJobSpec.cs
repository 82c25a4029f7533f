namespace Atlas.Abstractions;

/// <summary>
/// Everything a worker needs to run any unit of a job. <see cref="ConfigJson"/> is the loaded
/// config with absolute paths; <see cref="Layers"/> comes from the model's layer catalog, measured
/// before submission, so grains can plan without touching the model. With <see cref="ReuseFinishedUnits"/>,
/// a unit whose manifest is already in the store is taken as done: `atlas run` resuming an interrupted
/// run of the same config sets it.
/// </summary>
[GenerateSerializer, Immutable, Alias("atlas.job-spec")]
public sealed record AtlasJobSpec(
    [property: Id(0)] string JobId,
    [property: Id(1)] string Atlas,
    [property: Id(2)] string Version,
    [property: Id(3)] string ConfigJson,
    [property: Id(4)] IReadOnlyList<LayerPlan> Layers,
    [property: Id(5)] int DatasetCount,
    [property: Id(6)] int UnitsPerWorkUnit,
    [property: Id(7)] int ImagesPerShard,
    [property: Id(8)] string StoreLocation,
    [property: Id(9)] bool ReuseFinishedUnits = false);

/// <summary>One atlas layer and how many of its units are rendered.</summary>
[GenerateSerializer, Immutable, Alias("atlas.layer-plan")]
public sealed record LayerPlan([property: Id(0)] string Name, [property: Id(1)] int Units);
