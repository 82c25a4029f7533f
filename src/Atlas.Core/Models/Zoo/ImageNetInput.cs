namespace Atlas.Core.Models.Zoo;

/// <summary>The input convention of TorchVision's ImageNet models: 224×224 RGB (Inception v3: 299×299), ImageNet mean/std normalization.</summary>
public static class ImageNetInput
{
    public static InputSpec Rgb224 => Rgb(224);

    public static InputSpec Rgb299 => Rgb(299);

    private static InputSpec Rgb(int side) => new(3, side, side, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
}
