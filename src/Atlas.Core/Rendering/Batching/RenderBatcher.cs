using Atlas.Core.Models;
using Microsoft.Extensions.Logging;

namespace Atlas.Core.Rendering;

/// <summary>
/// Renders any number of pictures as a sequence of optimisations, each as large as the device holds
/// (<see cref="RenderCapacity"/>). Pictures of one group (a unit's diversity set) always share an
/// optimisation, since they are compared with each other. If the device runs out of memory anyway, the
/// batch is halved and the same pictures are rendered again; the smaller size is kept for what follows.
/// A picture does not depend on which others share its optimisation (its own seed, noise and transforms).
/// </summary>
public sealed class RenderBatcher(IAtlasModel model, IReadOnlyList<LayerInfo> catalog, ILogger? logger = null)
{
    private readonly Dictionary<string, int> learnedLimits = new(StringComparer.Ordinal);

    /// <summary>The largest optimisation used so far (pictures), for reports.</summary>
    public int LargestBatch { get; private set; }

    /// <summary>Optimisations run so far.</summary>
    public int Optimisations { get; private set; }

    public IReadOnlyList<VisImage> Render(IReadOnlyList<VisItem> items, RenderSettings settings, int? maxPictures = null,
        CancellationToken cancellationToken = default)
    {
        if (items.Count == 0) return [];
        int height = settings.ImageSize ?? model.Input.Height, width = settings.ImageSize ?? model.Input.Width;
        var layers = items.SelectMany(i => i.Objective.Layers).Distinct().ToList();
        var key = $"{string.Join(",", layers.Order())}@{height}x{width}/{model.ComputeType}";
        int limit = learnedLimits.TryGetValue(key, out var learned)
            ? learned
            : RenderCapacity.Pictures(RenderCapacity.BytesPerPicture(model, catalog, layers, height, width), ModelDevice.Of(model), CudaDevice.Memory());
        if (maxPictures is { } cap) limit = Math.Min(limit, cap);

        var results = new List<VisImage>(items.Count);
        int next = 0;
        while (next < items.Count)
        {
            var chunk = Chunk(items, next, Balanced(items.Count - next, limit));
            try
            {
                results.AddRange(FeatureVisRenderer.Render(model, chunk, settings, cancellationToken: cancellationToken));
                Optimisations++;
                LargestBatch = Math.Max(LargestBatch, chunk.Count);
                next += chunk.Count;
            }
            catch (Exception e) when (CudaDevice.IsOutOfMemory(e) && chunk.Count > 1)
            {
                limit = Math.Max(1, chunk.Count / 2);
                learnedLimits[key] = limit;
                logger?.LogWarning("Device out of memory rendering {Pictures} pictures of {Layers}; retrying with at most {Limit}",
                    chunk.Count, string.Join(",", layers), limit);
            }
        }
        return results;
    }

    /// <summary>
    /// The most pictures per optimisation that renders <paramref name="remaining"/> in as few optimisations as
    /// <paramref name="limit"/> allows, of about equal size: 16 at a limit of 14 become 8 and 8, not 14 and 2,
    /// whose last optimisation pays a whole step's fixed costs for two pictures.
    /// </summary>
    public static int Balanced(int remaining, int limit)
    {
        int optimisations = (remaining + limit - 1) / limit;
        return (remaining + optimisations - 1) / optimisations;
    }

    /// <summary>Items from <paramref name="start"/> up to <paramref name="limit"/>, ending at a group boundary (one whole group if it alone is larger).</summary>
    public static List<VisItem> Chunk(IReadOnlyList<VisItem> items, int start, int limit)
    {
        int end = start;
        while (end < items.Count)
        {
            int groupEnd = end + 1;
            while (groupEnd < items.Count && items[groupEnd].Group == items[end].Group) groupEnd++;
            if (groupEnd - start > limit && end > start) break;
            end = groupEnd;
            if (end - start >= limit) break;
        }
        return items.Skip(start).Take(end - start).ToList();
    }
}
