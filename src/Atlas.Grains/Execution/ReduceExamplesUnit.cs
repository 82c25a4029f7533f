using Atlas.Abstractions;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Imaging;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

/// <summary>
/// Merges the shards' top-k tables (equal to one pass over the whole set, see TopKTable) and accuracy counts, and
/// stores each image that any unit shows, once.
/// </summary>
/// <remarks>
/// A whole ImageNet atlas shows tens of thousands of distinct images, each decoded and encoded as PNG
/// (milliseconds apiece), so they are made on all cores, without the device, and stored a chunk at a time
/// so that memory holds one chunk's pictures rather than all of them.
/// </remarks>
public static class ReduceExamplesUnit
{
    /// <summary>Images made and stored together: a few hundred PNGs of about 70 KB at 224 px.</summary>
    private const int ImagesPerChunk = 256;

    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var k = context.Config.Examples.TopK;
        var merged = new Dictionary<string, TopKTable>();
        int shards = 0;
        DatasetAccuracy? accuracy = null;
        UnreadableImages? unreadable = null;
        foreach (var key in UnitOutputs.Of(context.Spec, WorkKind.ExampleShard))
        {
            // A shard that failed for good has no manifest; the rest still make the atlas.
            if (await context.Store.GetJsonAsync<ExampleShardWork>(key, context.Cancellation) is not { } shard) continue;
            shards++;
            unreadable = UnreadableImages.Merge(unreadable, shard.Unreadable);
            if (shard.Accuracy is { } counted)
                accuracy = new DatasetAccuracy((accuracy?.Correct ?? 0) + counted.Correct, (accuracy?.Images ?? 0) + counted.Images);
            foreach (var (layer, units) in shard.Layers)
            {
                var table = TopKTable.FromArrays(units, k);
                if (merged.TryGetValue(layer, out var existing)) existing.Merge(table);
                else merged[layer] = table;
            }
        }
        if (shards == 0) throw new InvalidDataException($"no example shards under {context.Keys.ExampleShardPrefix}");

        var imageIndices = merged.Values.SelectMany(t => Enumerable.Range(0, t.UnitCount).SelectMany(t.For)).Select(h => h.Image).Distinct().Order().ToList();
        var imageKeys = imageIndices.ToDictionary(index => index, context.Keys.DatasetImage);
        using (var data = await context.HostWork(() => DatasetOpener.Open(context.Config.Dataset)))
        {
            foreach (var chunk in imageIndices.Chunk(ImagesPerChunk))
            {
                var pictures = await context.HostWork(() => Pictures(data, chunk, context.Cancellation));
                await context.Store.PutManyAsync(pictures.Select(p => new ArtifactWrite(imageKeys[p.Index], p.Png, "image/png")), context.Cancellation);
            }
        }
        var manifestKey = context.Keys.MergedExamplesWork;
        await context.Store.PutJsonAsync(manifestKey, new MergedExamplesWork(k, merged.ToDictionary(m => m.Key, m => m.Value.ToArrays()), imageKeys)
        {
            Accuracy = accuracy,
            Unreadable = unreadable,
        }, context.Cancellation);
        return new UnitResult(manifestKey, imageIndices.Count + 1, 0);
    }

    /// <summary>The images' PNGs, read (<see cref="ImageReads.ReadEach"/>) and encoded on all cores.</summary>
    private static List<(int Index, byte[] Png)> Pictures(IImageDataset data, int[] indices, CancellationToken cancellationToken) =>
        data.ReadEach(indices, cancellationToken).AsParallel().AsOrdered().WithCancellation(cancellationToken)
            .Select(image => (image.Start, PngEncoder.Encode(image.Pixels, data.Channels, data.Height, data.Width))).ToList();
}
