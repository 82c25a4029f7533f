using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging;

namespace Atlas.Grains.Execution;

/// <summary>One pass over dataset images [Start, End): the per-unit top-k of every atlas layer for that shard.</summary>
public static class ExampleShardUnit
{
    public static async Task<UnitResult> RunAsync(UnitContext context)
    {
        var unit = context.Unit;
        var config = context.Config;
        var layerNames = context.Spec.Layers.Select(p => p.Name).ToHashSet();
        var skipped = new List<SkippedImage>();
        var (tables, accuracy) = await context.Compute(() => Scan(context.Models, config, layerNames, unit.Start, unit.End - unit.Start, context.Cancellation, skipped));
        var unreadable = Unreadable(skipped, config.Dataset.Path);
        // Each file named (up to a few): a user with two bad files needs both names, not the first one's.
        if (unreadable is not null)
            context.Logger.LogWarning("Dataset images {Start}-{End}: {Skipped} of {Count} could not be read and are left out of the examples: {Files}",
                unit.Start, unit.End, skipped.Count, unit.End - unit.Start,
                string.Join("; ", unreadable.First.Take(LoggedFiles).Select(i => $"{i.Path} ({i.Reason})")) + (skipped.Count > LoggedFiles ? $"; and {skipped.Count - LoggedFiles} more" : ""));
        var work = new ExampleShardWork(unit.Start, unit.End, config.Examples.TopK, tables.ToDictionary(t => t.Key, t => t.Value.ToArrays()))
        {
            Accuracy = accuracy is null ? null : new DatasetAccuracy(accuracy.Correct, accuracy.Images),
            Unreadable = unreadable,
        };
        var key = context.Keys.ExampleShardWork(unit.Start, unit.End);
        await context.Store.PutJsonAsync(key, work, context.Cancellation);
        return new UnitResult(key, 1, 0);
    }

    private const int LoggedFiles = 5;

    /// <summary>The shard's unreadable images for the manifest, their paths relative to the data set's folder; null for none.</summary>
    private static UnreadableImages? Unreadable(List<SkippedImage> skipped, string datasetPath)
    {
        if (skipped.Count == 0) return null;
        var first = skipped.OrderBy(s => s.Index).Take(UnreadableImages.Named)
            .Select(s => new UnreadableImage(s.Index, DatasetFiles.Shown(datasetPath, s.Path), s.Reason)).ToList();
        return new UnreadableImages(skipped.Count, first);
    }

    /// <summary>
    /// The shard's tables in examples.precision, in batches of <see cref="ModelCache.ScanBatch"/>. If the device
    /// runs out of memory, the shard is scanned again in batches half as large. When float16 overflows, the shard
    /// is scanned again in float32 (a ranking with infinities in it would be wrong), and so are the model's later
    /// shards (<see cref="ModelCache.ScanInFloat32"/>). The same forward counts the model's top-1 hits on the shard's
    /// labelled images where the labels name its outputs (<see cref="AccuracyTally.Unmeasurable"/>); null otherwise.
    /// </summary>
    /// <param name="skipped">Gets the images of the shard that could not be read (a corrupt or unsupported file), when given.</param>
    public static (IReadOnlyDictionary<string, TopKTable> Tables, AccuracyTally? Accuracy) Scan(ModelCache models, AtlasConfig config, IReadOnlySet<string> layerNames,
        int start, int count, CancellationToken cancellationToken, List<SkippedImage>? skipped = null)
    {
        while (true)
        {
            var (model, catalog) = models.GetForScanning(config);
            var layers = catalog.Where(l => layerNames.Contains(l.Name)).ToList();
            int batch = models.ScanBatch(config, model, layers);
            using var data = DatasetOpener.Open(config.Dataset);
            try
            {
                var accuracy = AccuracyTally.Unmeasurable(AccuracyTally.LogitsOf(model, catalog), data.ClassNames.Count) is null ? new AccuracyTally() : null;
                var tables = DatasetExampleScanner.Scan(model, data, layers, start, count, config.Examples.TopK, batch, cancellationToken: cancellationToken,
                    accuracy: accuracy);
                skipped?.AddRange(data.SkippedImages.Where(s => s.Index >= start && s.Index < start + count));
                return (tables, accuracy);
            }
            catch (Float16OverflowException overflow)
            {
                models.ScanInFloat32(overflow); // the next round gets the float32 copy, which does not throw this
            }
            catch (Exception e) when (Core.CudaDevice.IsOutOfMemory(e) && batch > 1)
            {
                models.ScanOutOfMemory(batch);
            }
        }
    }
}
