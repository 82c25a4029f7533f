using TorchSharp;
using Atlas.Core.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

public class ParameterizationTests
{
    [Fact]
    public void Fourier_scaling_is_one_over_frequency_floored_at_one_over_the_size()
    {
        TorchRuntime.Initialize();
        using var scale = FourierImage.FrequencyScale(8, 6);
        Assert.Equal([8, 4], scale.shape);
        Assert.Equal(8f, scale[0, 0].item<float>(), 4);          // DC: 1/(1/max(w,h))
        Assert.Equal(6f, scale[0, 1].item<float>(), 4);          // fx = 1/6
        Assert.Equal(8f, scale[1, 0].item<float>(), 4);          // fy = 1/8 (floor is also 1/8)
        Assert.Equal(8f, scale[7, 0].item<float>(), 4);          // fy = −1/8
        Assert.Equal((float)(1 / Math.Sqrt(0.25 + 0.25)), scale[4, 3].item<float>(), 4); // fy = −1/2, fx = 1/2
    }

    [Fact]
    public void Colour_decorrelation_is_normalised_by_its_largest_column_norm()
    {
        var m = ColorDecorrelation.Matrix();
        var norms = Enumerable.Range(0, 3).Select(c => Math.Sqrt(Enumerable.Range(0, 3).Sum(r => m[3 * r + c] * m[3 * r + c]))).ToList();
        Assert.Equal(1.0, norms.Max(), 1e-6);
        Assert.Equal(0.26 / Math.Sqrt(0.26 * 0.26 + 0.27 * 0.27 * 2), m[0], 1e-6);
    }

    [Theory]
    [InlineData(ParameterizationKind.Pixel, 1)]
    [InlineData(ParameterizationKind.Pixel, 3)]
    [InlineData(ParameterizationKind.Pixel, 4)]
    [InlineData(ParameterizationKind.Fourier, 1)]
    [InlineData(ParameterizationKind.Fourier, 3)]
    [InlineData(ParameterizationKind.Fourier, 2)]
    public void Images_of_any_channel_count_start_near_grey_inside_zero_one(ParameterizationKind kind, int channels)
    {
        TorchRuntime.Initialize();
        using var image = ImageParameterization.Create(kind, [1, 2], channels, 15, 10, CPU);
        using var pixels = image.Image();
        Assert.Equal([2, channels, 15, 10], pixels.shape);
        Assert.True(pixels.gt(0.4).all().item<bool>() && pixels.lt(0.6).all().item<bool>());
        Assert.False(pixels.eq(full_like(pixels, 0.5)).all().item<bool>());
    }

    [Fact]
    public void The_starting_noise_of_an_image_depends_on_its_seed_only()
    {
        TorchRuntime.Initialize();
        using var a = ImageParameterization.Create(ParameterizationKind.Fourier, [10, 11], 3, 16, 16, CPU);
        using var b = ImageParameterization.Create(ParameterizationKind.Fourier, [12, 11], 3, 16, 16, CPU);
        using var ia = a.Image();
        using var ib = b.Image();
        Assert.True(ia[1].eq(ib[1]).all().item<bool>());
        Assert.False(ia[0].eq(ib[0]).all().item<bool>());
    }

    [Fact]
    public void The_fourier_image_is_lucids_formula()
    {
        // sigmoid(M · irfft2(P ⊙ scale) / 4), written as Lucid writes it: the engine folds the division into the
        // scale and mixes colours by a broadcast sum, which may change the last bits only.
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        using var image = ImageParameterization.Create(ParameterizationKind.Fourier, [3, 4], 3, 24, 20, CPU);
        using (no_grad()) image.Parameters.normal_(0, 0.5); // well away from the starting noise, so every frequency matters
        var spectrum = view_as_complex((image.Parameters * FourierImage.FrequencyScale(24, 20).unsqueeze(-1)).contiguous());
        var raw = fft.irfft2(spectrum, s: [24, 20], norm: FFTNormType.Ortho) / 4.0;
        var expected = nn.functional.sigmoid(einsum("ij,bjhw->bihw", ColorDecorrelation.MatrixOn(CPU, ScalarType.Float32), raw));
        var actual = image.Image();
        double error = (expected - actual).abs().max().item<float>();
        Assert.True(error < 1e-6, $"differs from Lucid's formula by {error:G3}");
        Assert.True(expected.std().item<float>() > 0.05); // a picture, not a grey field

        // And its gradient, which is what the optimiser follows.
        var weights = rand_like(actual);
        var wanted = torch.autograd.grad([(expected * weights).sum()], [image.Parameters])[0];
        var got = torch.autograd.grad([(image.Image() * weights).sum()], [image.Parameters])[0];
        double gradientError = (wanted - got).abs().max().item<float>();
        Assert.True(gradientError <= 1e-5 * wanted.abs().max().item<float>(), $"gradients differ by {gradientError:G3}");
    }
}
