using static TorchSharp.torch;

namespace Atlas.Core;

/// <summary>
/// Hands the gradients of custom autograd functions (<see cref="Rendering.RedirectedRelu"/>,
/// <see cref="Models.ScatterMaxPoolFunction"/>) back to libtorch without leaking them. On a GPU, libtorch
/// runs backward callbacks on its own device thread, where no dispose scope of the caller is active: every
/// tensor made there must be freed there, or it holds device memory until the .NET garbage collector
/// happens to run (an activation-sized leak per step: 136 GB on an H200 in a few hundred steps). The
/// returned gradient must outlive the call, so it is freed at the next backward on the same thread, when
/// libtorch has long taken its own reference.
/// </summary>
internal static class BackwardGradients
{
    [ThreadStatic] private static Tensor? previous;

    /// <summary>Frees the gradient that the previous backward on this thread handed over; call first in a backward.</summary>
    public static void ReleasePrevious()
    {
        previous?.Dispose();
        previous = null;
    }

    /// <summary>Takes <paramref name="gradient"/> out of the backward's dispose scope and keeps it until the next backward.</summary>
    public static Tensor HandOver(Tensor gradient)
    {
        previous = gradient.MoveToOuterDisposeScope();
        return gradient;
    }
}
