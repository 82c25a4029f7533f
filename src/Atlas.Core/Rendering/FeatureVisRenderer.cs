using Atlas.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Batched gradient ascent in input space. The image is a sigmoid of free parameters (bounded
/// pixels), each step is jittered by a small random translation (Lucid's cheapest robustness
/// transform), and Adam maximises the mean of the target channel over spatial positions (or the
/// logit itself for linear layers). Activations are taken before the ReLU so that units that start
/// dead still receive a gradient.
/// </summary>
public static class FeatureVisRenderer
{
    public static IReadOnlyList<FeatureVisResult> Render(IAtlasModel model, FeatureVisRequest request, IProgress<int>? steps = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.Initialize();
        var input = model.Input;
        int batch = request.Channels.Count;
        using var parameters = new TorchSharp.Modules.Parameter(InitialParameters(input, request), requires_grad: true);
        using var channelIndex = tensor(request.Channels.Select(c => (long)c).ToArray());
        using var optimizer = optim.Adam([parameters], request.LearningRate);
        var jitter = new Random(request.Seed);
        for (int step = 0; step < request.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var image = sigmoid(parameters);
            if (request.Jitter > 0)
            {
                long dy = jitter.Next(-request.Jitter, request.Jitter + 1), dx = jitter.Next(-request.Jitter, request.Jitter + 1);
                image = image.roll([dy, dx], [2, 3]);
            }
            var objective = Objective(model, image, request.Layer, channelIndex);
            (-objective.sum()).backward();
            optimizer.step();
            steps?.Report(step + 1);
        }

        using var noGrad = no_grad();
        using var final = sigmoid(parameters);
        using var reached = Objective(model, final, request.Layer, channelIndex);
        var values = reached.data<float>().ToArray();
        var pixels = final.contiguous().data<float>().ToArray();
        int perImage = input.PixelsPerImage;
        return Enumerable.Range(0, batch).Select(i => new FeatureVisResult(
            request.Channels[i], pixels.AsSpan(i * perImage, perImage).ToArray(), input.Channels, input.Height, input.Width, values[i])).ToList();
    }

    /// <summary>Per batch element b: the mean over positions of channel channelIndex[b] (or the logit itself).</summary>
    public static Tensor Objective(IAtlasModel model, Tensor image, string layer, Tensor channelIndex)
    {
        var activations = model.Activations(image, [layer], preActivation: true);
        using var activation = activations[layer];
        long b = activation.shape[0];
        if (activation.dim() == 4)
        {
            long h = activation.shape[2], w = activation.shape[3];
            using var index = channelIndex.view(b, 1, 1, 1).expand(b, 1, h, w);
            return activation.gather(1, index).mean([1, 2, 3]);
        }
        using var flatIndex = channelIndex.view(b, 1);
        return activation.gather(1, flatIndex).view(b);
    }

    private static Tensor InitialParameters(InputSpec input, FeatureVisRequest request)
    {
        // Each image from its own generator: the unit's starting noise is fixed by (seed, layer, channel).
        var images = request.Channels.Select(channel =>
        {
            var generator = new Generator((ulong)UnitSeed(request.Seed, request.Layer, channel));
            return randn([1, input.Channels, input.Height, input.Width], generator: generator) * 0.01;
        }).ToArray();
        var stacked = cat(images, 0);
        foreach (var image in images) image.Dispose();
        return stacked.detach();
    }

    /// <summary>A stable (FNV-1a) mix of seed, layer name and channel.</summary>
    public static long UnitSeed(int seed, string layer, int channel)
    {
        ulong hash = 1469598103934665603UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes($"{seed}/{layer}/{channel}"))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return (long)(hash & 0x7fffffffffffffffUL);
    }
}
