using System.Text.Json;

namespace Atlas.Core.Models.TorchScript;

/// <summary>One method of a TorchScript module that runs its forward only up to some output and returns the outputs computed by then.</summary>
/// <param name="Method">The module's method (it takes the normalized pixels, as forward does).</param>
/// <param name="Outputs">Which of forward's outputs it returns (positions in model.outputs), in the order it returns them.</param>
public sealed record TorchScriptStop(string Method, IReadOnlyList<int> Outputs);

/// <summary>
/// The early stops a TorchScript archive offers, so that rendering an early layer does not pay for the rest of the
/// network. Compiled code cannot be cut by the atlas, so scripts/export-torchscript.py traces one extra method per
/// output that stops there, and lists them in the archive's extra file "atlas.json"
/// (<c>{"stops": [{"method": "atlas_upto_0", "outputs": [0]}, …]}</c>). An archive without that file runs its whole
/// forward for every layer, as before. The loader checks each stop against forward before using it.
/// </summary>
public sealed class TorchScriptStops
{
    public static TorchScriptStops None { get; } = new([]);

    public TorchScriptStops(IReadOnlyList<TorchScriptStop> stops) => All = stops;

    public IReadOnlyList<TorchScriptStop> All { get; }

    /// <summary>The stop that returns every wanted output with the fewest outputs (the earliest), or null when only forward has them all.</summary>
    public TorchScriptStop? EarliestWith(IReadOnlyCollection<int> wanted) =>
        All.Where(stop => wanted.All(stop.Outputs.Contains)).MinBy(stop => stop.Outputs.Count);

    /// <summary>
    /// Reads the stops of an archive's atlas.json (<see cref="TorchScriptArchive.AtlasJson"/>); <see cref="None"/> when it
    /// has none. A malformed list is an input error naming the entry.
    /// </summary>
    public static TorchScriptStops Read(JsonDocument? document, string path, int outputCount)
    {
        if (document is null) return None;
        string where = $"{path}: extra file {TorchScriptArchive.ExtraFileName}";
        if (!document.RootElement.TryGetProperty("stops", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new AtlasInputException($"{where}: has no \"stops\" list");
        var stops = list.EnumerateArray().Select((item, i) => ReadStop(item, $"{where}: stops[{i}]", outputCount)).ToList();
        var twice = stops.GroupBy(s => s.Method, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new AtlasInputException($"{where}: method '{twice.Key}' is listed twice");
        return new TorchScriptStops(stops);
    }

    private static TorchScriptStop ReadStop(JsonElement item, string where, int outputCount)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(method.GetString())
            || !item.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Array)
            throw new AtlasInputException($"{where}: must be {{\"method\": name, \"outputs\": [positions in forward's result]}}");
        var positions = new List<int>();
        foreach (var position in outputs.EnumerateArray())
        {
            if (position.ValueKind != JsonValueKind.Number || !position.TryGetInt32(out int p) || p < 0 || p >= outputCount)
                throw new AtlasInputException($"{where}.outputs: {position} is not a position in forward's {outputCount} outputs (0 to {outputCount - 1})");
            if (positions.Contains(p)) throw new AtlasInputException($"{where}.outputs: position {p} is listed twice");
            positions.Add(p);
        }
        if (positions.Count == 0) throw new AtlasInputException($"{where}.outputs: is empty");
        return new TorchScriptStop(method.GetString()!, positions);
    }
}
