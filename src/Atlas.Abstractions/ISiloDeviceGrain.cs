namespace Atlas.Abstractions;

/// <summary>
/// What torch device the silo that answers computes on (key: 0; a stateless worker, so a client's call is
/// answered by the silo it connects through). `atlas submit` asks it to size a job's work units for the
/// cluster's workers rather than for the machine that submits.
/// </summary>
[Alias("atlas.ISiloDeviceGrain")]
public interface ISiloDeviceGrain : IGrainWithIntegerKey
{
    /// <summary>The device type in lower case, as torch names it: "cpu" or "cuda".</summary>
    [Alias("DeviceType")] Task<string> DeviceType();
}
