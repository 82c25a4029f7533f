namespace Atlas.Grains;

/// <summary>The name of the grain storage provider that job state lives in (memory, or Azure Blob on a cluster).</summary>
public static class AtlasGrainStorage
{
    public const string Name = "atlas";
}
