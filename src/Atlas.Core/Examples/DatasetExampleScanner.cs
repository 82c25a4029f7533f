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
/// Given an <see cref="AccuracyTally"/>, the same forward runs on to the logits (the model's last layer) and counts
/// top-1 hits against the labels on the device: one number per batch comes back.
/// </summary>
public static class DatasetExampleScanner
{
    /// <param name="packBytes">Send pixels to the device as bytes (default: on a GPU; see <see cref="PixelBytes"/>).</param>
    /// <param name="accuracy">Gets the model's top-1 hits on the slice's labelled images, when given (only where
    /// <see cref="AccuracyTally.Unmeasurable"/> finds the labels comparable with the logits).</param>
    public static IReadOnlyDictionary<string, TopKTable> Scan(IAtlasModel model, IImageDataset data, IReadOnlyList<LayerInfo> layers,
        int start, int count, int k, int batchSize, IProgress<int>? imagesDone = null, CancellationToken cancellationToken = default, bool? packBytes = null,
        AccuracyTally? accuracy = null)
    {
        TorchRuntime.Initialize();
        var tables = layers.ToDictionary(l => l.Name, l => new TopKTable(l.Channels, k));
        var names = layers.Select(l => l.Name).ToList();
        var logitsLayer = model.LayerNames[^1];
        // Asking for the logits only makes the forward run past the deepest atlas layer (nothing when they are one).
        var requested = accuracy is not null && !names.Contains(logitsLayer) ? [.. names, logitsLayer] : names;
        var device = ModelDevice.Of(model);
        using var noGrad = no_grad();
        using var prefetcher = new BatchPrefetcher(data, start, count, batchSize, device, cancellationToken, packBytes: packBytes);
        int done = 0;
        BatchBest? previous = null;
        foreach (var prefetched in prefetcher.Batches())
        {
            var batch = prefetched.Batch;
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            // On the CPU the buffer itself is the input; on a GPU an asynchronous copy of it, sent as bytes.
            using var pixels = prefetched.PixelsOn(device);
            var activations = model.Activations(pixels, requested);
            BatchBest best;
            try
            {
                var reduced = Reduce(layers.Select(l => activations[l.Name]).ToList(), batch, k);
                using var hits = accuracy is null ? null : CountHits(activations[logitsLayer], batch);
                // The previous batch's offers are host work: they run while the device computes this batch,
                // where before the device waited for them. Batches are still offered in order.
                previous?.OfferTo(layers, tables);
                // Reading the results back waits for the device, so it has also finished with the buffer.
                best = reduced.ReadBack(batch);
                if (hits is not null) accuracy!.Add((int)hits.item<long>(), CountedImages(batch));
                if (model.ComputeType == ScalarType.Float16) best.ThrowIfOverflowed(layers);
            }
            finally
            {
                foreach (var activation in activations.Values) activation.Dispose();
            }
            prefetcher.Release(prefetched);
            previous = best;
            done += batch.Count;
            imagesDone?.Report(done);
        }
        previous?.OfferTo(layers, tables);
        return tables;
    }

    /// <summary>
    /// Reduces a batch to each unit's best images on the device: all layers together (one sort, and three
    /// copies back per batch rather than per layer: every copy waits for the device). Nothing waits here.
    /// </summary>
    private static QueuedBest Reduce(IReadOnlyList<Tensor> activations, ImageSlice batch, int k)
    {
        int n = (int)activations[0].shape[0];
        var maxima = new List<Tensor>();
        var positions = new List<Tensor>();
        foreach (var activation in activations)
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
        return new QueuedBest(sorted.narrow(0, 0, kept), top, cat(positions, 1).gather(0, top), kept, (int)ranked.shape[1],
            activations.Select(a => ((int)a.shape[1], a.dim() == 4 ? (int)a.shape[3] : 1)).ToList());
    }

    /// <summary>The batch's labelled, readable images whose highest logit is their label's, on the device (nothing waits here).</summary>
    private static Tensor CountHits(Tensor logits, ImageSlice batch)
    {
        int n = (int)logits.shape[0];
        var predicted = logits.reshape(n, -1).argmax(1);
        // Unlabelled (−1) and unreadable images get a label no prediction equals.
        var labels = batch.Labels.Select((label, i) => batch.IsSkipped(i) ? -1L : label).ToArray();
        return predicted.eq(tensor(labels, device: logits.device)).sum();
    }

    private static int CountedImages(ImageSlice batch) =>
        Enumerable.Range(0, batch.Count).Count(i => batch.Labels[i] >= 0 && !batch.IsSkipped(i));

    /// <summary>A batch's best images per unit, still on the device (k × units each).</summary>
    private sealed record QueuedBest(Tensor Values, Tensor Rows, Tensor Positions, int Kept, int Units, IReadOnlyList<(int Channels, int Width)> Layers)
    {
        public BatchBest ReadBack(ImageSlice batch) => new(batch, Data.HostPixels.ToArray(Values), Rows.cpu().contiguous().data<long>().ToArray(),
            Positions.cpu().contiguous().data<long>().ToArray(), Kept, Units, Layers);
    }

    /// <summary>A batch's best images per unit on the host, row r of unit u at r · units + u.</summary>
    private sealed record BatchBest(ImageSlice Batch, float[] Values, long[] Rows, long[] Positions, int Kept, int Units, IReadOnlyList<(int Channels, int Width)> Layers)
    {
        /// <summary>
        /// float16 ends at 65,504: a larger activation becomes infinity (and what follows it may become NaN),
        /// and either would rank first. Both sort to the top of a unit's list, so the batch's best rows show it.
        /// (Unreadable images sink as minus infinity, which is not an overflow.)
        /// </summary>
        public void ThrowIfOverflowed(IReadOnlyList<LayerInfo> layers)
        {
            int at = Array.FindIndex(Values, v => float.IsNaN(v) || float.IsPositiveInfinity(v));
            if (at < 0) return;
            int unit = at % Units, layer = 0;
            while (unit >= Layers[layer].Channels) unit -= Layers[layer++].Channels;
            throw new Float16OverflowException(layers[layer].Name, Batch.Start, Batch.Start + Batch.Count - 1);
        }

        public void OfferTo(IReadOnlyList<LayerInfo> layers, IReadOnlyDictionary<string, TopKTable> tables)
        {
            int offset = 0;
            for (int l = 0; l < layers.Count; l++)
            {
                var table = tables[layers[l].Name];
                var (layerUnits, width) = Layers[l];
                for (int r = 0; r < Kept; r++)
                {
                    for (int unit = 0; unit < layerUnits; unit++)
                    {
                        int at = r * Units + offset + unit;
                        int i = (int)Rows[at];
                        // An unreadable image was counted and reported by the data set; its blank stand-in must not rank.
                        if (Batch.IsSkipped(i)) continue;
                        int position = (int)Positions[at];
                        table.Offer(unit, new ExampleHit(Batch.Start + i, Values[at], position / width, position % width, Batch.Labels[i]));
                    }
                }
                offset += layerUnits;
            }
        }
    }
}
