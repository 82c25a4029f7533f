using Atlas.Abstractions;
using Orleans.Runtime;

namespace Atlas.Grains.Workers;

/// <summary>Collects <see cref="SiloReporter"/>'s reports and answers with those of the silos Orleans counts as active.</summary>
public sealed class ClusterViewGrain : Grain, IClusterViewGrain
{
    private readonly Dictionary<string, SiloReport> reports = [];

    public Task Report(SiloReport report)
    {
        reports[report.Silo] = report;
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<SiloReport>> Silos()
    {
        var active = (await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.Select(a => a.ToParsableString()).ToHashSet();
        foreach (var gone in reports.Keys.Where(k => !active.Contains(k)).ToList()) reports.Remove(gone);
        return reports.Values.OrderBy(r => r.Host, StringComparer.Ordinal).ThenBy(r => r.ProcessId).ToList();
    }
}
