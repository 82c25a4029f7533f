using System.Security.Cryptography;
using System.Text;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Comparison;

/// <summary>
/// A fingerprint per atlas layer of every weight that can influence it: the layer's own parameters and
/// those of everything before it, with the buffers (batch-norm statistics) of the modules they belong
/// to. Two checkpoints whose fingerprints of a layer agree compute that layer identically, so its units
/// can be reused instead of recomputed. Which parameters feed a layer is found by autograd, not by
/// names or registration order: one forward pass to the layer on a blank image, then the parameters
/// that received a gradient are exactly the ones on its path (this holds for branches, residuals and
/// auxiliary heads alike). A model whose code comes with its checkpoint (TorchScript) adds that code's digest to
/// every layer's.
/// </summary>
public static class LayerFingerprints
{
    public static IReadOnlyDictionary<string, string> Compute(IAtlasModel model, IReadOnlyList<string> layers)
    {
        var parameters = model.Network.named_parameters().ToList();
        var buffers = model.Network.named_buffers().ToList();
        var tensorHashes = parameters.Select(p => (p.name, Tensor: p.parameter as Tensor))
            .Concat(buffers.Select(b => (b.name, Tensor: b.buffer)))
            .ToDictionary(t => t.name, t => HashTensor(t.Tensor), StringComparer.Ordinal);

        var wasTracked = parameters.Select(p => p.parameter.requires_grad).ToList();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var p in parameters) p.parameter.requires_grad = true;
            foreach (var layer in layers)
            {
                foreach (var p in parameters) p.parameter.grad = null;
                using (var scope = NewDisposeScope())
                {
                    using var enabled = enable_grad();
                    var blank = zeros(1, model.Input.Channels, model.Input.Height, model.Input.Width, device: ModelDevice.Of(model));
                    var activations = model.Activations(blank, [layer]);
                    activations[layer].sum().backward();
                    foreach (var a in activations.Values) a.Dispose();
                }
                var feeding = parameters.Where(p => p.parameter.grad is not null).Select(p => p.name).ToHashSet(StringComparer.Ordinal);
                var owners = feeding.Select(Owner).ToHashSet(StringComparer.Ordinal);
                var included = feeding.Concat(buffers.Select(b => b.name).Where(b => owners.Contains(Owner(b)))).Order(StringComparer.Ordinal);
                var text = new StringBuilder();
                // Code that comes with the checkpoint (TorchScript) decides the layer as much as its weights do.
                if (model.CodeDigest is { } code) text.Append("code=").Append(code).Append('\n');
                foreach (var name in included) text.Append(name).Append('=').Append(tensorHashes[name]).Append('\n');
                result[layer] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
            }
        }
        finally
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                parameters[i].parameter.grad = null;
                parameters[i].parameter.requires_grad = wasTracked[i];
            }
        }
        return result;
    }

    /// <summary>The layers whose fingerprints agree in both versions (each covers everything before it).</summary>
    public static IReadOnlyList<string> Identical(IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> previous) =>
        current.Where(kv => previous.TryGetValue(kv.Key, out var other) && other == kv.Value).Select(kv => kv.Key).ToList();

    private static string Owner(string name) => name.Contains('.') ? name[..name.LastIndexOf('.')] : "";


    /// <summary>dtype, shape and raw bytes: equal hashes mean bit-identical tensors.</summary>
    private static string HashTensor(Tensor t)
    {
        using var scope = NewDisposeScope();
        var cpu = t.detach().cpu().contiguous();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{cpu.dtype}:{string.Join(',', cpu.shape)}:"));
        hash.AppendData(cpu.bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
