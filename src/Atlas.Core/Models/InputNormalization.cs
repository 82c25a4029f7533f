using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// A model's (pixels − mean) / std, cast to the type the network computes in. The mean and std live on
/// the pixels' device once: copying them from host memory on every call would make each optimisation
/// step wait for the device (a pageable host-to-device copy synchronizes).
/// </summary>
internal sealed class InputNormalization(InputSpec input) : IDisposable
{
    private readonly Dictionary<string, (Tensor Mean, Tensor Std)> onDevice = new(StringComparer.Ordinal);

    public ScalarType ComputeType { get; set; } = ScalarType.Float32;

    public Tensor Apply(Tensor pixels)
    {
        var key = pixels.device.ToString();
        if (!onDevice.TryGetValue(key, out var stats))
        {
            // Created outside any caller's dispose scope: they live as long as the model.
            using (NewDisposeScope())
            {
                stats = (tensor(input.Mean).view(1, -1, 1, 1).to(pixels.device).DetachFromDisposeScope(),
                    tensor(input.Std).view(1, -1, 1, 1).to(pixels.device).DetachFromDisposeScope());
            }
            onDevice[key] = stats;
        }
        var normalized = (pixels - stats.Mean) / stats.Std;
        if (normalized.dtype == ComputeType) return normalized;
        using (normalized) return normalized.to(ComputeType);
    }

    public void Dispose()
    {
        foreach (var (mean, std) in onDevice.Values)
        {
            mean.Dispose();
            std.Dispose();
        }
        onDevice.Clear();
    }
}
