using static TorchSharp.torch;

namespace Atlas.Core.Models.Branches;

/// <summary>Finds the <see cref="IBranchedBlock"/> view of a module, where it has one.</summary>
public static class BranchedBlocks
{
    public static IBranchedBlock? Of(nn.Module module) => module switch
    {
        IBranchedBlock block => block,
        _ => TorchVisionInceptionBranches.Of(module),
    };
}
