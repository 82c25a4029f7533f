using Atlas.Abstractions;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Imaging;
using Atlas.Storage;

namespace Atlas.Grains.Execution;

/// <summary>
/// Merges the shards' top-k tables (equal to one pass over the whole set, see TopKTable) and stores
/// each image that any unit shows, once.
/// </summary>
public static class ReduceExamplesUnit
{
    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var k = context.Config.Examples.TopK;
        var merged = new Dictionary<string, TopKTable>();
        int shards = 0;
        foreach (var key in UnitOutputs.Of(context.Spec, WorkKind.ExampleShard))
        {
            // A shard that failed for good has no manifest; the rest still make the atlas.
            if (await context.Store.GetJsonAsync<ExampleShardWork>(key, context.Cancellation) is not { } shard) continue;
            shards++;
            foreach (var (layer, units) in shard.Layers)
            {
                var table = TopKTable.FromArrays(units, k);
                if (merged.TryGetValue(layer, out var existing)) existing.Merge(table);
                else merged[layer] = table;
            }
        }
        if (shards == 0) throw new InvalidDataException($"no example shards under {context.Keys.ExampleShardPrefix}");

        var imageIndices = merged.Values.SelectMany(t => Enumerable.Range(0, t.UnitCount).SelectMany(t.For)).Select(h => h.Image).Distinct().Order().ToList();
        var images = await context.Compute(() =>
        {
            using var data = DatasetOpener.Open(context.Config.Dataset);
            return imageIndices.Select(index =>
            {
                var batch = data.Read(index, 1);
                return (Index: index, Png: PngEncoder.Encode(batch.Pixels, data.Channels, data.Height, data.Width));
            }).ToList();
        });
        var imageKeys = images.ToDictionary(i => i.Index, i => context.Keys.DatasetImage(i.Index));
        await context.Store.PutManyAsync(images.Select(i => new ArtifactWrite(imageKeys[i.Index], i.Png, "image/png")), context.Cancellation);
        var manifestKey = context.Keys.MergedExamplesWork;
        await context.Store.PutJsonAsync(manifestKey, new MergedExamplesWork(k, merged.ToDictionary(m => m.Key, m => m.Value.ToArrays()), imageKeys), context.Cancellation);
        return new UnitResult(manifestKey, images.Count + 1, 0);
    }
}
