using Atlas.Abstractions;

namespace Atlas.Grains.Execution;

/// <summary>Runs leased units on this silo's torch device.</summary>
public interface IUnitExecutor
{
    Task<UnitResult> ExecuteAsync(UnitLease lease, CancellationToken cancellationToken);
}
