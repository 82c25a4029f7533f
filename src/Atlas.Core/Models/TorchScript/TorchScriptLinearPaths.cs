using System.Text.Json;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// A method of a TorchScript module that computes output <see cref="To"/> on the network linearized (ReLUs as the
/// identity, max-pools as average pools) with output <see cref="From"/> replaced by its argument:
/// <c>method(pixels, substitute)</c>. Circuits' expanded weights between two atlas layers are its gradient.
/// </summary>
public sealed record TorchScriptLinearPath(string Method, int From, int To);

/// <summary>
/// The linearized paths an archive lists in its extra file atlas.json (<c>"linearized": [{"method":
/// "atlas_linear_0", "from": 0, "to": 1}, …]</c>, positions in forward's result), written by
/// scripts/export-torchscript.py for each two consecutive layers. Compiled code cannot be linearized by the atlas
/// itself, so without them a TorchScript model has no circuits.
/// </summary>
public sealed class TorchScriptLinearPaths(IReadOnlyList<TorchScriptLinearPath> paths)
{
    public static TorchScriptLinearPaths None { get; } = new([]);

    public IReadOnlyList<TorchScriptLinearPath> All { get; } = paths;

    public TorchScriptLinearPath? Between(int from, int to) => All.FirstOrDefault(p => p.From == from && p.To == to);

    /// <summary>Reads the "linearized" list of an archive's atlas.json (<see cref="TorchScriptArchive.AtlasJson"/>); <see cref="None"/> when the file or the list is absent.</summary>
    public static TorchScriptLinearPaths Read(JsonDocument? document, string path, int outputCount)
    {
        if (document is null || !document.RootElement.TryGetProperty("linearized", out var list)) return None;
        string where = $"{path}: extra file {TorchScriptArchive.ExtraFileName}: linearized";
        if (list.ValueKind != JsonValueKind.Array) throw new AtlasInputException($"{where}: is not a list");
        var paths = list.EnumerateArray().Select((item, i) => ReadPath(item, $"{where}[{i}]", outputCount)).ToList();
        return new TorchScriptLinearPaths(paths);
    }

    private static TorchScriptLinearPath ReadPath(JsonElement item, string where, int outputCount)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(method.GetString())
            || !item.TryGetProperty("from", out var from) || !from.TryGetInt32(out int source)
            || !item.TryGetProperty("to", out var to) || !to.TryGetInt32(out int target))
            throw new AtlasInputException($"{where}: must be {{\"method\": name, \"from\": position, \"to\": position}}");
        if (source < 0 || target <= source || target >= outputCount)
            throw new AtlasInputException($"{where}: from {source} to {target} is not a path forward between positions of forward's {outputCount} outputs");
        return new TorchScriptLinearPath(method.GetString()!, source, target);
    }
}
