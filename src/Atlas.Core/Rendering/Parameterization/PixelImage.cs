using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>One free parameter per pixel and channel (Lucid's <c>naive</c> image).</summary>
public sealed class PixelImage : ImageParameterization
{
    private PixelImage(Parameter parameters, int channels, int height, int width) : base(parameters, channels, height, width) { }

    public static PixelImage Create(IReadOnlyList<ulong> seeds, int channels, int height, int width, Device device) =>
        new(new Parameter(SeededNoise(seeds, [channels, height, width], device), requires_grad: true), channels, height, width);

    protected override Tensor RawImage() => Parameters.alias();
}
