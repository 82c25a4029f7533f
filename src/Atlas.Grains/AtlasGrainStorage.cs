using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Atlas.Grains;

/// <summary>The grain storage provider that job state lives in (memory, or Azure Blob on a cluster).</summary>
public static class AtlasGrainStorage
{
    public const string Name = "atlas";

    /// <summary>
    /// Job state in the silo's memory (the embedded default and the test clusters), kept in Orleans' own
    /// binary format as on Azure Blob: the default JSON format costs several times more per write, and
    /// a job grain writes its whole unit table on every change.
    /// </summary>
    public static ISiloBuilder AddAtlasMemoryStorage(this ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(Name);
        silo.Services.AddOptions<Orleans.Configuration.MemoryGrainStorageOptions>(Name)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        return silo;
    }
}
