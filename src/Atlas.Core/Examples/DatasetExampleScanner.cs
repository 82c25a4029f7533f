using Atlas.Core.Data;
using Atlas.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Examples;

/// <summary>
/// Streams a slice of a dataset through the model once and keeps, for every unit of every requested
/// layer, the top-k images by the unit's maximum over spatial positions (post-ReLU, as a reader sees it).
/// Decoding runs ahead on another thread (<see cref="BatchPrefetcher"/>), and each batch is reduced to
/// its own top k per unit on the device, so only k rows per unit come back to the host.
/// </summary>
public static class DatasetExampleScanner
{
    /// <param name="packBytes">Send pixels to the device as bytes (default: on a GPU; see <see cref="PixelBytes"/>).</param>
    public static IReadOnlyDictionary<string, TopKTable> Scan(IAtlasModel model, IImageDataset data, IReadOnlyList<LayerInfo> layers,
        int start, int count, int k, int batchSize, IProgress<int>? imagesDone = null, CancellationToken cancellationToken = default, bool? packBytes = null)
    {
        TorchRuntime.Initialize();
        var tables = layers.ToDictionary(l => l.Name, l => new TopKTable(l.Channels, k));
        var names = layers.Select(l => l.Name).ToList();
        var device = ModelDevice.Of(model);
        using var noGrad = no_grad();
        using var prefetcher = new BatchPrefetcher(data, start, count, batchSize, device, cancellationToken, packBytes: packBytes);
        int done = 0;
        foreach (var prefetched in prefetcher.Batches())
        {
            var batch = prefetched.Batch;
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            // On the CPU the buffer itself is the input; on a GPU an asynchronous copy of it, sent as bytes.
            using var pixels = prefetched.PixelsOn(device);
            var activations = model.Activations(pixels, names);
            try
            {
                Accumulate(layers.Select(l => (tables[l.Name], activations[l.Name])).ToList(), batch, k);
            }
            finally
            {
                foreach (var activation in activations.Values) activation.Dispose();
            }
            // Accumulate read results back to the host, so the device has finished with the buffer.
            prefetcher.Release(prefetched);
            done += batch.Count;
            imagesDone?.Report(done);
        }
        return tables;
    }

    /// <summary>
    /// Offers each unit's best images of the batch to its table. All layers are reduced together on the
    /// device (one sort, three copies back per batch rather than per layer: every copy waits for the device).
    /// </summary>
    private static void Accumulate(IReadOnlyList<(TopKTable Table, Tensor Activation)> layers, ImageBatch batch, int k)
    {
        int n = (int)layers[0].Activation.shape[0];
        var maxima = new List<Tensor>();
        var positions = new List<Tensor>();
        foreach (var (_, activation) in layers)
        {
            // Positions are numbered row-major (y·W + x) in either layout. Viewing a channels-last map as
            // N×(H·W)×C costs nothing, where flattening it to N×C×(H·W) would copy the whole activation.
            var (max, at) = ChannelsLast.IsChannelsLast(activation)
                ? activation.permute(0, 2, 3, 1).reshape(n, -1, activation.shape[1]).max(1)
                : activation.reshape(n, activation.shape[1], -1).max(2);
            maxima.Add(max.to(float32));
            positions.Add(at);
        }
        var ranked = cat(maxima, 1);
        // Only the batch's own top k of each unit can enter a table. A stable descending sort keeps the
        // lower image index first among equal values, the table's own tie rule, so the result is the
        // same as offering every image (many units tie at 0 on most images).
        int kept = Math.Min(k, n);
        // Unreadable images sink to the bottom, so they cannot push a real image out of the batch's top k.
        if (batch.Skipped is { } skipped && skipped.Contains(true))
            ranked = ranked.masked_fill(tensor(skipped, device: ranked.device).view(n, 1), float.NegativeInfinity);
        var (sorted, order) = ranked.sort(0, descending: true, stable: true);
        var top = order.narrow(0, 0, kept);
        var values = Data.HostPixels.ToArray(sorted.narrow(0, 0, kept));
        var rows = top.cpu().contiguous().data<long>().ToArray();
        var where = cat(positions, 1).gather(0, top).cpu().contiguous().data<long>().ToArray();
        int units = (int)ranked.shape[1], offset = 0;
        foreach (var (table, activation) in layers)
        {
            int layerUnits = (int)activation.shape[1];
            int width = activation.dim() == 4 ? (int)activation.shape[3] : 1;
            for (int r = 0; r < kept; r++)
            {
                for (int unit = 0; unit < layerUnits; unit++)
                {
                    int at = r * units + offset + unit;
                    int i = (int)rows[at];
                    // An unreadable image was counted and reported by the data set; its blank stand-in must not rank.
                    if (batch.IsSkipped(i)) continue;
                    int position = (int)where[at];
                    table.Offer(unit, new ExampleHit(batch.Start + i, values[at], position / width, position % width, batch.Labels[i]));
                }
            }
            offset += layerUnits;
        }
    }
}
