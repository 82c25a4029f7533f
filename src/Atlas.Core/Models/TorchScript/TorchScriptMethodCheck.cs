using static TorchSharp.torch;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// Checks the methods an archive's atlas.json lists against its forward before the atlas trusts them. Each early
/// stop must exist, return as many tensors as it lists, and give the same values as forward gives at those positions;
/// each linearized path must exist and return a tensor of its target's shape. One that does not is an input error, so
/// a hand-edited or stale atlas.json never puts another layer's values in a picture.
/// </summary>
internal static class TorchScriptMethodCheck
{
    public static void Run(jit.ScriptModule module, InputSpec input, IReadOnlyList<string> outputs, TorchScriptStops stops, TorchScriptLinearPaths linear, string path)
    {
        if (stops.All.Count == 0 && linear.All.Count == 0) return;
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
                throw new AtlasInputException($"{path}: early stop '{stop.Method}' ({TorchScriptArchive.ExtraFileName}) cannot be run: {TorchErrors.Summary(e)}", e);
            }
            if (actual.Count != stop.Outputs.Count)
                throw new AtlasInputException($"{path}: early stop '{stop.Method}' returns {Counted.Of(actual.Count, "tensor")}, but {TorchScriptArchive.ExtraFileName} lists {stop.Outputs.Count}");
            for (int i = 0; i < actual.Count; i++)
            {
                var want = expected[stop.Outputs[i]];
                if (!actual[i].shape.SequenceEqual(want.shape) || !actual[i].allclose(want, rtol: 1e-4, atol: 1e-5))
                    throw new AtlasInputException($"{path}: early stop '{stop.Method}' gives other values for '{outputs[stop.Outputs[i]]}' than forward does; export the archive again (scripts/export-torchscript.py)");
            }
        }
        foreach (var linearPath in linear.All)
        {
            // As circuits call it: one image of pixels (what runs before the source is replaced) and a batch of substitutes,
            // with gradients on, since circuits are the result's gradient with respect to the substitute.
            using var gradients = enable_grad();
            using var substitute = zeros_like(expected[linearPath.From]).requires_grad_(true);
            Tensor result;
            try
            {
                result = TorchScriptModel.Unpack(module.invoke(linearPath.Method, pixels[..1], substitute)) is [var single] ? single
                    : throw new AtlasInputException($"{path}: linearized path '{linearPath.Method}' ({TorchScriptArchive.ExtraFileName}) returns more than one tensor");
            }
            catch (Exception e) when (e is not OutOfMemoryException and not AtlasInputException)
            {
                throw new AtlasInputException($"{path}: linearized path '{linearPath.Method}' ({TorchScriptArchive.ExtraFileName}) cannot be run: {TorchErrors.Summary(e)}", e);
            }
            var want = expected[linearPath.To];
            if (result.dim() == 0 || result.shape[0] != substitute.shape[0] || !result.requires_grad)
                throw new AtlasInputException($"{path}: linearized path '{linearPath.Method}' does not compute '{outputs[linearPath.To]}' from its substitute for '{outputs[linearPath.From]}'");
            if (!result.shape.SequenceEqual(want.shape))
                throw new AtlasInputException($"{path}: linearized path '{linearPath.Method}' gives {string.Join("×", result.shape.Skip(1))} per image, but '{outputs[linearPath.To]}' is {string.Join("×", want.shape.Skip(1))}");
        }
    }
}
