using System.Diagnostics;
using Orleans.Runtime;

namespace Atlas.Cli.Hosting;

/// <summary>
/// How long a cluster client waits for a gateway: a silo that is starting registers within seconds, so waiting
/// briefly covers "started the silo, then ran status". Orleans' own default kept retrying for three minutes in
/// silence when no silo runs at all (the common mistake: none started, or another ATLAS_CLUSTER_ID).
/// </summary>
internal sealed class BriefConnectionRetry : IClientConnectionRetryFilter
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2);

    private readonly Stopwatch waited = Stopwatch.StartNew();

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not SiloUnavailableException || waited.Elapsed + Pause > Patience) return false;
        await Task.Delay(Pause, cancellationToken);
        return true;
    }
}
