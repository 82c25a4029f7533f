using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>How an image is built from the free parameters the optimiser changes.</summary>
public enum ParameterizationKind
{
    /// <summary>One parameter per pixel and channel.</summary>
    Pixel,
    /// <summary>Lucid's Fourier basis with 1/f scaling: low frequencies move first, which suppresses the high-frequency noise pixel optimisation produces.</summary>
    Fourier,
}

/// <summary>
/// A batch of images (B×C×H×W, values in (0,1)) as a function of one parameter tensor. Each image's
/// starting noise comes from its own seed, so an image does not depend on its batch companions.
/// </summary>
public abstract class ImageParameterization : IDisposable
{
    protected ImageParameterization(Parameter parameters, int channels, int height, int width)
    {
        Parameters = parameters;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public Parameter Parameters { get; }
    private Tensor? colour;
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>Lucid's initial standard deviation of the parameters.</summary>
    public const double InitialStd = 0.01;

    /// <summary>The images for the current parameters: the raw image, colour decorrelation (RGB only), then sigmoid.</summary>
    public Tensor Image()
    {
        using var scope = NewDisposeScope();
        var raw = RawImage();
        if (Channels == 3)
        {
            // Made once per optimisation, not per step: a host-to-device copy would stall the loop.
            colour ??= ColorDecorrelation.MatrixOn(raw.device, raw.dtype).DetachFromDisposeScope();
            raw = ColorDecorrelation.Apply(raw, colour);
        }
        return nn.functional.sigmoid(raw).MoveToOuterDisposeScope();
    }

    /// <summary>The unbounded image before decorrelation and sigmoid.</summary>
    protected abstract Tensor RawImage();

    public static ImageParameterization Create(ParameterizationKind kind, IReadOnlyList<ulong> seeds, int channels, int height, int width, Device device) => kind switch
    {
        ParameterizationKind.Pixel => PixelImage.Create(seeds, channels, height, width, device),
        ParameterizationKind.Fourier => FourierImage.Create(seeds, channels, height, width, device),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>N(0, 0.01²) noise of the given per-image shape, one generator per image, made on the CPU so every device starts alike.</summary>
    protected static Tensor SeededNoise(IReadOnlyList<ulong> seeds, long[] perImage, Device device)
    {
        var images = seeds.Select(seed =>
        {
            var generator = new Generator(seed);
            return randn([1, .. perImage], generator: generator) * InitialStd;
        }).ToArray();
        try
        {
            using var stacked = cat(images, 0);
            return stacked.to(device).detach().clone();
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    public void Dispose()
    {
        Parameters.Dispose();
        colour?.Dispose();
        DisposeExtra();
    }

    protected virtual void DisposeExtra() { }
}
