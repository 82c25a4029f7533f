using Atlas.Core.Models.Branches;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// One of Inception v3's two grid-reduction blocks (Mixed_6a, Mixed_7a) made of TorchSharp's own block's children,
/// with its max-pool branch as a module. TorchSharp's block calls <c>functional.max_pool2d</c>, which no hook can
/// reach, so the linearized network behind expanded weights (every max-pool module an average pool) kept it, stayed
/// non-linear, and the two blocks had no circuits from the layer before. The children keep their names and
/// registration order, so state dicts load as before; the pool is registered last as <c>branch_pool</c> and has no
/// parameters. The working copy's scatter max-pool backward (<see cref="MaxPoolGradient"/>) now reaches it too.
/// As an <see cref="IBranchedBlock"/>, a picture of one of the pool's channels runs only the pool, the block's
/// cheapest branch, which holds three eighths of Mixed_6a's channels and three fifths of Mixed_7a's.
/// </summary>
public sealed class InceptionReductionBlock : nn.Module<Tensor, Tensor>, IBranchedBlock
{
    // Arrays, which TorchSharp's RegisterComponents passes over: the children are registered once, under their own
    // names. The pool field is named as registered, so RegisterComponents finds it registered already.
    private readonly nn.Module<Tensor, Tensor>[] firstBranch, secondBranch;
    private readonly nn.Module<Tensor, Tensor> branch_pool;

    /// <param name="original">TorchSharp's InceptionB or InceptionD; its children move here.</param>
    /// <param name="firstBranch">Child names of the first convolution branch, in the order they run.</param>
    /// <param name="secondBranch">Child names of the second convolution branch, in the order they run.</param>
    public InceptionReductionBlock(nn.Module original, string[] firstBranch, string[] secondBranch) : base(original.GetType().Name)
    {
        var children = new AdoptedChildren(original, "a TorchVision Inception v3 reduction block");
        this.firstBranch = [.. firstBranch.Select(children.Required)];
        this.secondBranch = [.. secondBranch.Select(children.Required)];
        branch_pool = nn.MaxPool2d(kernel_size: 3, stride: 2);
        children.RegisterOn(this);
        register_module(nameof(branch_pool), branch_pool);
        // The pool keeps its input's channels, which the first convolution reads.
        BranchChannels = [OutputChannels(this.firstBranch), OutputChannels(this.secondBranch),
            Leaves(this.firstBranch).OfType<Conv2d>().First().in_channels];
    }

    public IReadOnlyList<long> BranchChannels { get; }

    /// <summary>
    /// <see cref="IBranchedBlock.Forward"/>. The pool branch has no ReLU: its pre-activation is its output, as the
    /// layer's pre-activation tap (the branches' ReLU inputs, then the rest of the output) reads it.
    /// </summary>
    public Tensor Forward(Tensor input, BranchRows rows, bool preActivation) =>
        BranchRowsForward.Run([input, input, input],
            [BranchRowsForward.OfModules(Leaves(firstBranch)), BranchRowsForward.OfModules(Leaves(secondBranch)), BranchRowsForward.OfModules([branch_pool], endsInActivation: false)],
            BranchChannels, rows, preActivation);

    /// <summary>A convolution branch's leaf modules, read anew for each call: a working-copy rewrite may replace some.</summary>
    private static IReadOnlyList<nn.Module<Tensor, Tensor>> Leaves(nn.Module<Tensor, Tensor>[] blocks) =>
        blocks.SelectMany(block => BranchRowsForward.Leaves(block)
            ?? throw new InvalidOperationException("each conv block of an Inception v3 reduction must be a chain of modules ending in a ReLU")).ToList();

    private static long OutputChannels(nn.Module<Tensor, Tensor>[] blocks) =>
        BranchRowsForward.OutputChannels(Leaves(blocks)) ?? throw new ArgumentException("a reduction block's convolution branch has no convolution");

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var outputs = new[] { Run(firstBranch, x), Run(secondBranch, x), branch_pool.call(x) };
        return cat(outputs, 1).MoveToOuterDisposeScope();
    }

    private static Tensor Run(nn.Module<Tensor, Tensor>[] blocks, Tensor x)
    {
        foreach (var block in blocks) x = block.call(x);
        return x;
    }
}
