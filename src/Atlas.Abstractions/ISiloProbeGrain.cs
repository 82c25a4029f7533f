namespace Atlas.Abstractions;

/// <summary>
/// What the silo that answers sees of its machine (key: 0; a stateless worker, so a client's call is answered
/// by the silo it connects through). `atlas submit` asks it what the cluster's workers compute on, to size the
/// job's work units for them, and whether they can read the files the config names, before it submits.
/// </summary>
[Alias("atlas.ISiloProbeGrain")]
public interface ISiloProbeGrain : IGrainWithIntegerKey
{
    /// <summary>The device type in lower case, as torch names it: "cpu" or "cuda".</summary>
    [Alias("DeviceType")] Task<string> DeviceType();

    /// <summary>Which of <paramref name="paths"/> (absolute) are neither a file nor a folder on this silo's machine.</summary>
    [Alias("CheckPaths")] Task<SiloPathCheck> CheckPaths(IReadOnlyList<string> paths);
}

/// <summary>
/// A silo's answer to a path check: its host name, the paths it cannot see, and its Orleans address (parsable form),
/// so that a caller that asked a particular silo can tell that silo answered.
/// </summary>
[GenerateSerializer, Immutable, Alias("atlas.silo-path-check")]
public sealed record SiloPathCheck([property: Id(0)] string Host, [property: Id(1)] IReadOnlyList<string> Missing, [property: Id(2)] string Silo = "");

/// <summary>
/// The same question as <see cref="ISiloProbeGrain.CheckPaths"/>, asked of one chosen silo: each call uses a fresh key
/// and Orleans' placement hint, so the activation lives on the silo the caller named (see SiloQuestions in the grains).
/// </summary>
[Alias("atlas.IPlacedSiloProbeGrain")]
public interface IPlacedSiloProbeGrain : IGrainWithGuidKey
{
    [Alias("CheckPaths")] Task<SiloPathCheck> CheckPaths(IReadOnlyList<string> paths);
}
