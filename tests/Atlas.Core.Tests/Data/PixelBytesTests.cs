using Atlas.Core.Data;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Data;

public class PixelBytesTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(1000)] // not a multiple of any vector width: the scalar tail runs too
    [InlineData(7)]
    public void Decoded_pixels_travel_as_bytes_and_come_back_bit_for_bit(int length)
    {
        TorchRuntime.Initialize();
        var random = new Random(3);
        var pixels = Enumerable.Range(0, length).Select(i => (length == 256 ? i : random.Next(256)) / 255f).ToArray();
        var bytes = new byte[length];

        Assert.True(PixelBytes.TryPack(pixels, bytes));
        Assert.Equal(pixels.Select(p => (byte)MathF.Round(p * 255f)), bytes);
        using var packed = tensor(bytes);
        using var unpacked = PixelBytes.Unpack(packed);
        Assert.Equal(ScalarType.Float32, unpacked.dtype);
        Assert.Equal(pixels.Select(BitConverter.SingleToInt32Bits), HostPixels.ToArray(unpacked).Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(0.5f)] // between two byte values
    [InlineData(1.5f)] // out of range, though 1.5 · 255 is a whole number
    [InlineData(-1f / 255f)]
    [InlineData(float.NaN)]
    public void A_value_a_byte_cannot_hold_exactly_is_refused_wherever_it_is(float odd)
    {
        foreach (int at in new[] { 0, 37, 99 }) // in the vector part and in the scalar tail
        {
            var pixels = Enumerable.Range(0, 100).Select(i => i / 255f).ToArray();
            pixels[at] = odd;
            Assert.False(PixelBytes.TryPack(pixels, new byte[100]), $"{odd} at {at} was packed");
        }
    }

    [Fact]
    public void Unpacking_keeps_the_shape()
    {
        TorchRuntime.Initialize();
        using var bytes = zeros([2, 3, 4, 5], dtype: ScalarType.Byte);
        using var pixels = PixelBytes.Unpack(bytes);
        Assert.Equal(new long[] { 2, 3, 4, 5 }, pixels.shape);
    }
}
