using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Lucid's Fourier parameterization. The parameters are the real and imaginary parts of each image's
/// half spectrum (B×C×H×(W/2+1)×2); frequency f is scaled by 1/max(f, 1/max(W,H)) (decay power 1) so
/// every frequency contributes about equally to the gradient's effect, then an orthonormal inverse real
/// FFT gives the image, divided by 4 as Lucid does to keep the sigmoid out of saturation at the start.
/// </summary>
public sealed class FourierImage : ImageParameterization
{
    // The half-spectrum scale, H×(W/2+1)×1, with the image's division by 4 folded in.
    private readonly Tensor scale;

    private FourierImage(Parameter parameters, Tensor scale, int channels, int height, int width) : base(parameters, channels, height, width)
    {
        this.scale = scale;
    }

    public const double DecayPower = 1.0;

    public static FourierImage Create(IReadOnlyList<ulong> seeds, int channels, int height, int width, Device device)
    {
        // Lucid's division by 4 of the image, moved onto the spectrum scale: the inverse FFT is linear and a
        // power of two scales every rounding step exactly, so the image is bit for bit the same, one full-size
        // pass fewer each way per step.
        using var frequencyScale = FrequencyScale(height, width);
        var scale = frequencyScale.div(4.0).unsqueeze(-1).to(device);
        var parameters = new Parameter(SeededNoise(seeds, [channels, height, width / 2 + 1, 2], device), requires_grad: true);
        return new FourierImage(parameters, scale, channels, height, width);
    }

    /// <summary>1/max(f, 1/max(W,H))^decay over the H×(W/2+1) half-spectrum grid, f = √(fx²+fy²) in cycles per pixel.</summary>
    public static Tensor FrequencyScale(int height, int width)
    {
        int columns = width / 2 + 1;
        var values = new float[height * columns];
        double floor = 1.0 / Math.Max(width, height);
        for (int y = 0; y < height; y++)
        {
            // numpy's fftfreq: 0, 1/n, …, then the negative frequencies.
            double fy = (y <= (height - 1) / 2 ? y : y - height) / (double)height;
            for (int x = 0; x < columns; x++)
            {
                double fx = x / (double)width;
                double f = Math.Sqrt(fx * fx + fy * fy);
                values[y * columns + x] = (float)(1.0 / Math.Pow(Math.Max(f, floor), DecayPower));
            }
        }
        return tensor(values).view(height, columns);
    }

    protected override Tensor RawImage()
    {
        var spectrum = view_as_complex((Parameters * scale).contiguous());
        return fft.irfft2(spectrum, s: [Height, Width], norm: FFTNormType.Ortho);
    }

    protected override void DisposeExtra() => scale.Dispose();
}
