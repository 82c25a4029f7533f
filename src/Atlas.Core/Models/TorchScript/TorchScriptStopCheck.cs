using static TorchSharp.torch;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// Checks an archive's early stops against its forward before the atlas trusts them: each stop's method must exist,
/// return as many tensors as it lists, and give the same values as forward gives at those positions. A stop that
/// does not is an input error, so a hand-edited or stale "atlas.json" never puts another layer's values in a picture.
/// </summary>
internal static class TorchScriptStopCheck
{
    public static void Run(jit.ScriptModule module, InputSpec input, IReadOnlyList<string> outputs, TorchScriptStops stops, string path)
    {
        if (stops.All.Count == 0) return;
        using var scope = NewDisposeScope();
        using var noGradients = no_grad();
        using var normalization = new InputNormalization(input);
        // A fixed, varied pattern rather than blank images: on blank ones every layer of a network is close to its biases,
        // which would hide a stop that returns the wrong layer of the same shape.
        long count = (long)TorchScriptLoader.ProbeBatch * input.Channels * input.Height * input.Width;
        var pixels = (arange(count, device: TorchRuntime.Device) % 97 / 96.0).to(float32).reshape(TorchScriptLoader.ProbeBatch, input.Channels, input.Height, input.Width);
        var normalized = normalization.Apply(pixels);
        var expected = TorchScriptModel.Unpack(module.call(normalized));
        foreach (var stop in stops.All)
        {
            IReadOnlyList<Tensor> actual;
            try
            {
                actual = TorchScriptModel.Unpack(module.invoke(stop.Method, normalized));
            }
            catch (Exception e) when (e is not OutOfMemoryException and not AtlasInputException)
            {
                throw new AtlasInputException($"{path}: early stop '{stop.Method}' ({TorchScriptStops.ExtraFileName}) cannot be run: {TorchErrors.Summary(e)}", e);
            }
            if (actual.Count != stop.Outputs.Count)
                throw new AtlasInputException($"{path}: early stop '{stop.Method}' returns {actual.Count} tensors, but {TorchScriptStops.ExtraFileName} lists {stop.Outputs.Count}");
            for (int i = 0; i < actual.Count; i++)
            {
                var want = expected[stop.Outputs[i]];
                if (!actual[i].shape.SequenceEqual(want.shape) || !actual[i].allclose(want, rtol: 1e-4, atol: 1e-5))
                    throw new AtlasInputException($"{path}: early stop '{stop.Method}' gives other values for '{outputs[stop.Outputs[i]]}' than forward does; export the archive again (scripts/export-torchscript.py)");
            }
        }
    }
}
