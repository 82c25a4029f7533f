using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// How the activations handed to an <see cref="ObjectiveBatch"/> were taken: for layers listed as
/// <see cref="LayerRelu.Rectified"/> they are pre-activations, and each row gets the value its
/// <see cref="ActivationTarget"/> asks for — the pre-activation itself, or its ReLU (with Lucid's
/// gradient override when <see cref="RedirectGradient"/> is set). Other layers are used as given.
/// </summary>
public sealed record ActivationReading(IReadOnlyDictionary<string, LayerRelu> PreActivationLayers, bool RedirectGradient)
{
    /// <summary>Activations are the layers' outputs, used as they are.</summary>
    public static readonly ActivationReading AsGiven = new(new Dictionary<string, LayerRelu>(), false);

    internal Tensor View(string layer, Tensor given, IReadOnlyList<ActivationTarget> targets, Tensor preRows)
    {
        if (PreActivationLayers.GetValueOrDefault(layer, LayerRelu.Other) != LayerRelu.Rectified) return given;
        bool anyPre = targets.Contains(ActivationTarget.PreRelu), anyRectified = targets.Contains(ActivationTarget.Rectified);
        if (!anyRectified) return given;
        var rectified = RedirectGradient ? RedirectedRelu.Apply(given) : nn.functional.relu(given);
        if (!anyPre) return rectified;
        var shape = new long[given.dim()];
        Array.Fill(shape, 1L);
        shape[0] = given.shape[0];
        return where(preRows.view(shape), given, rectified);
    }
}
