using Atlas.Core.Imaging;

namespace Atlas.Core.Tests.Imaging;

/// <summary>A picture's contrast: the spread of each channel over positions, so a flat field of any colour reads 0.</summary>
public class PictureContrastTests
{
    [Fact]
    public void A_flat_field_of_one_colour_has_no_contrast_however_its_channels_differ()
    {
        var orange = Enumerable.Repeat(1f, 16).Concat(Enumerable.Repeat(0.5f, 16)).Concat(Enumerable.Repeat(0f, 16)).ToArray();
        Assert.Equal(0, PictureContrast.Of(orange, channels: 3));
    }

    [Fact]
    public void Half_black_half_white_spreads_a_half_and_a_grey_channel_beside_it_counts_in_the_root_mean_square()
    {
        var halves = Enumerable.Range(0, 16).Select(i => i < 8 ? 0f : 1f).ToArray();
        Assert.Equal(0.5, PictureContrast.Of(halves, channels: 1), 12);
        var withGrey = halves.Concat(Enumerable.Repeat(0.5f, 16)).ToArray();
        Assert.Equal(Math.Sqrt(0.25 / 2), PictureContrast.Of(withGrey, channels: 2), 12);
    }

    [Fact]
    public void Pixels_that_do_not_split_into_the_channels_are_refused() =>
        Assert.Throws<ArgumentException>(() => PictureContrast.Of(new float[10], channels: 3));
}
