using Atlas.Core.Rendering;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

public class TransformTests
{
    [Fact]
    public void Lucids_standard_set_scales_its_pixel_amounts_with_the_image_size()
    {
        var lucid = TransformSettings.Standard(224);
        Assert.Equal((12, 8, 4), (lucid.Pad, lucid.Jitter, lucid.FineJitter));
        Assert.Equal(0.5, lucid.PadValue);
        Assert.Equal(11, lucid.Scales.Count);
        Assert.Equal(0.9, lucid.Scales.Min(), 10);
        Assert.Equal(1.1, lucid.Scales.Max(), 10);
        Assert.Equal(26, lucid.Angles.Count); // −10…10 plus 0 five more times
        Assert.Equal(6, lucid.Angles.Count(a => a == 0));

        var half = TransformSettings.Standard(112);
        Assert.Equal((6, 4, 2), (half.Pad, half.Jitter, half.FineJitter));
        var demo = TransformSettings.Standard(28);
        Assert.Equal((2, 2, 1), (demo.Pad, demo.Jitter, demo.FineJitter)); // the floors
        Assert.Equal(lucid.Scales, demo.Scales);
        Assert.Equal("pad 12 (0.5), jitter 8, scale 0.90–1.10, rotate -10–10°, jitter 4", lucid.Description);
    }

    [Fact]
    public void The_identity_transform_returns_the_images_unchanged()
    {
        TorchRuntime.Initialize();
        using var images = rand(3, 1, 9, 7);
        var affine = new RandomAffine(TransformSettings.None, [1, 2, 3], 9, 7);
        using var same = affine.Apply(images);
        Assert.True(same.eq(images).all().item<bool>());
    }

    [Fact]
    public void A_pure_jitter_is_an_exact_whole_pixel_shift_with_grey_fill()
    {
        TorchRuntime.Initialize();
        using var images = rand(8, 3, 10, 12);
        // Only translations: grid_sample must land on pixel centres, so every output pixel is an input pixel or the pad value.
        var settings = TransformSettings.JitterOnly(2);
        var affine = new RandomAffine(settings, Enumerable.Range(0, 8).Select(i => (ulong)i).ToList(), 10, 12);
        var thetas = new RandomAffine(settings, Enumerable.Range(0, 8).Select(i => (ulong)i).ToList(), 10, 12).NextMatrices();
        using var shifted = affine.Apply(images);
        for (int b = 0; b < 8; b++)
        {
            // Normalised translation back to pixels: tx·W/2, ty·H/2.
            long dx = (long)Math.Round(thetas[6 * b + 2] * 6), dy = (long)Math.Round(thetas[6 * b + 5] * 5);
            Assert.InRange(dx, -2, 2);
            Assert.InRange(dy, -2, 2);
            for (int y = 0; y < 10; y++)
            {
                for (int x = 0; x < 12; x++)
                {
                    long sy = y + dy, sx = x + dx;
                    float expected = sy is >= 0 and < 10 && sx is >= 0 and < 12 ? images[b, 1, sy, sx].item<float>() : 0.5f;
                    Assert.Equal(expected, shifted[b, 1, y, x].item<float>(), 1e-5);
                }
            }
        }
    }

    [Fact]
    public void Every_image_gets_its_own_transform_from_its_own_seed()
    {
        var a = new RandomAffine(TransformSettings.Standard(64), [5, 6], 64, 64).NextMatrices();
        var b = new RandomAffine(TransformSettings.Standard(64), [7, 6], 64, 64).NextMatrices();
        Assert.Equal(a.AsSpan(6, 6).ToArray(), b.AsSpan(6, 6).ToArray()); // image 1 has the same seed in both
        Assert.NotEqual(a.AsSpan(0, 6).ToArray(), b.AsSpan(0, 6).ToArray());
    }

    [Fact]
    public void Scale_and_rotation_compose_into_one_matrix()
    {
        // Over many draws the linear part is R(−θ)/s: its determinant is 1/s² with s in 0.90…1.10.
        var affine = new RandomAffine(TransformSettings.Standard(32), Enumerable.Range(0, 200).Select(i => (ulong)i).ToList(), 32, 32);
        var m = affine.NextMatrices();
        var scales = Enumerable.Range(0, 200).Select(i => 1 / Math.Sqrt(m[6 * i] * m[6 * i + 4] - m[6 * i + 1] * m[6 * i + 3])).ToList();
        Assert.All(scales, s => Assert.InRange(s, 0.8999, 1.1001));
        Assert.True(scales.Distinct().Count() > 5);
        var angles = Enumerable.Range(0, 200).Select(i => Math.Atan2(m[6 * i + 1], m[6 * i]) * 180 / Math.PI).ToList();
        Assert.All(angles, a => Assert.InRange(a, -10.001, 10.001));
        Assert.Contains(angles, a => Math.Abs(a) > 5);
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(10, 12)]
    public void The_broadcast_grid_samples_where_libtorchs_affine_grid_does(int height, int width)
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var seeds = Enumerable.Range(0, 6).Select(i => (ulong)i).ToList();
        var settings = TransformSettings.Standard(Math.Max(height, width));
        var images = rand(6, 3, height, width);
        var transformed = new RandomAffine(settings, seeds, height, width).Apply(images);

        var theta = tensor(new RandomAffine(settings, seeds, height, width).NextMatrices()).view(6, 2, 3);
        var grid = nn.functional.affine_grid(theta, [6, 3, height, width], align_corners: false);
        var expected = nn.functional.grid_sample(images - settings.PadValue, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false) + settings.PadValue;
        double error = (expected - transformed).abs().max().item<float>();
        Assert.True(error < 1e-5, $"differs from affine_grid's sampling by {error:G3}");
    }
}
