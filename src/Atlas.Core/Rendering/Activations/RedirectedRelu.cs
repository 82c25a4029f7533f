using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Lucid's ReLU gradient override ("redirected ReLU"): the forward is an ordinary ReLU; in the
/// backward, an image whose ReLU gradient is zero everywhere (its target unit is dead on it) gets the
/// gradient as if the ReLU were not there, except where that would push an already negative input
/// lower. A unit that is dead on the starting noise therefore still moves towards firing; once it
/// fires the ordinary ReLU gradient takes over, so the override only acts during the first steps.
/// </summary>
public sealed class RedirectedRelu : autograd.SingleTensorFunction<RedirectedRelu>
{
    public override string Name => nameof(RedirectedRelu);

    public static Tensor Apply(Tensor preActivation) => apply(preActivation);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        ctx.save_for_backward([x]);
        return nn.functional.relu(x);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        BackwardGradients.ReleasePrevious();
        using var scope = NewDisposeScope(); // everything made here is freed here (see BackwardGradients)
        using var x = ctx.get_saved_variables()[0];
        using var negative = x.le(0);
        var reluGrad = grad.masked_fill(negative, 0);
        // Gradients here are of the loss (minus the objective): a positive gradient lowers the input.
        using var pushesLower = grad.gt(0);
        using var blocked = negative.logical_and(pushesLower);
        using var redirected = grad.masked_fill(blocked, 0);
        long rows = x.shape[0];
        using var flat = reluGrad.reshape(rows, -1);
        using var live = flat.ne(0).any(1);
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = rows;
        using var liveRows = live.view(shape);
        var result = BackwardGradients.HandOver(where(liveRows, reluGrad, redirected));
        reluGrad.Dispose();
        grad.Dispose(); // this wrapper was made for this call; libtorch holds the gradient itself
        return [result];
    }
}
