using Atlas.Core.Data;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Examples;

/// <summary>
/// Streams a slice of a dataset through the model once and keeps, for every unit of every requested
/// layer, the top-k images by the unit's maximum over spatial positions (post-ReLU, as a reader sees it).
/// </summary>
public static class DatasetExampleScanner
{
    public static IReadOnlyDictionary<string, TopKTable> Scan(IAtlasModel model, IImageDataset data, IReadOnlyList<LayerInfo> layers,
        int start, int count, int k, int batchSize, IProgress<int>? imagesDone = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.Initialize();
        var tables = layers.ToDictionary(l => l.Name, l => new TopKTable(l.Channels, k));
        var names = layers.Select(l => l.Name).ToList();
        using var noGrad = no_grad();
        for (int offset = 0; offset < count; offset += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = data.Read(start + offset, Math.Min(batchSize, count - offset));
            var pixels = batch.ToTensor(data, ModelDevice.Of(model));
            var activations = model.Activations(pixels, names);
            foreach (var layer in layers)
            {
                using var activation = activations[layer.Name];
                Accumulate(tables[layer.Name], activation, batch);
            }
            imagesDone?.Report(offset + batch.Count);
        }
        return tables;
    }

    private static void Accumulate(TopKTable table, Tensor activation, ImageBatch batch)
    {
        int n = (int)activation.shape[0], units = (int)activation.shape[1];
        int width = activation.dim() == 4 ? (int)activation.shape[3] : 1;
        var flat = activation.reshape(n, units, -1);
        var (maxima, positions) = flat.max(2);
        var values = maxima.contiguous().data<float>().ToArray();
        var where = positions.contiguous().data<long>().ToArray();
        for (int i = 0; i < n; i++)
        {
            // An unreadable image was counted and reported by the data set; its blank stand-in must not rank.
            if (batch.IsSkipped(i)) continue;
            for (int unit = 0; unit < units; unit++)
            {
                int at = i * units + unit;
                int position = (int)where[at];
                table.Offer(unit, new ExampleHit(batch.Start + i, values[at], position / width, position % width, batch.Labels[i]));
            }
        }
    }
}
