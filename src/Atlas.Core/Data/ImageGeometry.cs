namespace Atlas.Core.Data;

/// <summary>
/// How images are made to fit a model: the shorter side is resized to <see cref="ResizeShorterSide"/>,
/// the center <see cref="Size"/>×<see cref="Size"/> square is cropped (torchvision's Resize + CenterCrop),
/// and colour is converted to <see cref="Channels"/> (1 = luma, 3 = RGB). With <see cref="ReducedScaleDecode"/>,
/// files that can be decoded at a reduced scale still at least the resize target are (dataset.reducedScaleDecode).
/// </summary>
public sealed record ImageGeometry(int Size, int Channels, int ResizeShorterSide, bool ReducedScaleDecode = true)
{
    /// <summary>torchvision's ImageNet evaluation ratio: resize to 256, crop 224.</summary>
    public static int DefaultResize(int size) => (int)Math.Round(size * 256.0 / 224.0);

    public static ImageGeometry For(int size, int channels, int? resizeShorterSide = null, bool reducedScaleDecode = true) =>
        new(size, channels, resizeShorterSide ?? DefaultResize(size), reducedScaleDecode);

    public int PixelsPerImage => Channels * Size * Size;
}
