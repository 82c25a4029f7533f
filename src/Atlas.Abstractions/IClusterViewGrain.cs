namespace Atlas.Abstractions;

/// <summary>
/// The cluster's worker silos as they last reported themselves (key: 0), for `atlas status`. Kept in memory only:
/// every worker silo reports every few seconds, so a view that moved to another silo refills at once, and a silo
/// that Orleans' membership no longer counts as active drops out of the answer.
/// </summary>
[Alias("atlas.IClusterViewGrain")]
public interface IClusterViewGrain : IGrainWithIntegerKey
{
    [Alias("Report")] Task Report(SiloReport report);

    /// <summary>The reports of the silos that are active now, by host and process.</summary>
    [Alias("Silos")] Task<IReadOnlyList<SiloReport>> Silos();
}

/// <summary>One worker silo: its Orleans address (parsable form, <c>SiloAddress.ToParsableString</c>), machine, process, torch device ("cpu" or "cuda") and worker loops.</summary>
[GenerateSerializer, Immutable, Alias("atlas.silo-report")]
public sealed record SiloReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Host,
    [property: Id(2)] int ProcessId,
    [property: Id(3)] string Device,
    [property: Id(4)] int Workers,
    [property: Id(5)] DateTimeOffset StartedAt);
