namespace Atlas.Core.Models.Zoo;

/// <summary>The input convention of TorchVision's ImageNet models: 224×224 RGB, ImageNet mean/std normalization.</summary>
public static class ImageNetInput
{
    public static InputSpec Rgb224 => new(3, 224, 224, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
}
