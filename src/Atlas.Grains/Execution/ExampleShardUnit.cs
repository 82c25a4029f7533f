using Atlas.Abstractions;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Storage;

namespace Atlas.Grains.Execution;

/// <summary>One pass over dataset images [Start, End): the per-unit top-k of every atlas layer for that shard.</summary>
public static class ExampleShardUnit
{
    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var unit = context.Unit;
        var config = context.Config;
        var tables = await context.Compute(() =>
        {
            var (model, catalog) = context.Models.GetForScanning(config);
            var layers = catalog.Where(l => context.Spec.Layers.Any(p => p.Name == l.Name)).ToList();
            using var data = DatasetOpener.Open(config.Dataset);
            return DatasetExampleScanner.Scan(model, data, layers, unit.Start, unit.End - unit.Start,
                config.Examples.TopK, config.Examples.BatchSize, cancellationToken: context.Cancellation);
        });
        var work = new ExampleShardWork(unit.Start, unit.End, config.Examples.TopK, tables.ToDictionary(t => t.Key, t => t.Value.ToArrays()));
        var key = context.Keys.ExampleShardWork(unit.Start, unit.End);
        await context.Store.PutJsonAsync(key, work, context.Cancellation);
        return new UnitResult(key, 1, 0);
    }
}
