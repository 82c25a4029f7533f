using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// The whole transform set as one affine resampling per step: the translations, scale and rotation
/// compose into a single 2×3 matrix per image, and one <c>grid_sample</c> applies them all. That is
/// one pass over the batch instead of five, and every image gets its own random transform from its
/// own generator (so its picture does not depend on which images share its batch).
/// </summary>
public sealed class RandomAffine : IDisposable
{
    private readonly TransformSettings settings;
    private readonly SplitMix64[] generators;
    private readonly int height;
    private readonly int width;
    private Tensor? planned;
    private int plannedNext;

    public RandomAffine(TransformSettings settings, IReadOnlyList<ulong> seeds, int height, int width)
    {
        this.settings = settings;
        // A stream separate from the one that seeded the starting noise.
        generators = seeds.Select(s => new SplitMix64(s ^ 0x5DEECE66DUL)).ToArray();
        this.height = height;
        this.width = width;
    }

    /// <summary>Draws the next transform for every image and applies it; the identity returns the input.</summary>
    public Tensor Apply(Tensor images)
    {
        if (settings.IsIdentity) return images.alias();
        using var scope = NewDisposeScope();
        var theta = planned is not null && plannedNext < planned.shape[0]
            ? planned[plannedNext++].to(images.dtype)
            : tensor(NextMatrices(), dtype: images.dtype, device: images.device).view(generators.Length, 2, 3);
        var grid = Grid(theta, images.device);
        // grid_sample fills outside the image with zeros: shift so the fill is the pad value.
        var shifted = images - settings.PadValue;
        var sampled = nn.functional.grid_sample(shifted, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        return (sampled + settings.PadValue).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Draws the next <paramref name="steps"/> transforms now and keeps them on <paramref name="device"/>,
    /// so the optimisation loop never copies from host memory (a host-to-device copy makes the CPU wait
    /// for the device, and the loop should queue work ahead of it). The draws are the same as step by step.
    /// </summary>
    public void Plan(int steps, Device device)
    {
        if (settings.IsIdentity || steps <= 0) return;
        planned?.Dispose();
        var all = new float[steps * generators.Length * 6];
        for (int step = 0; step < steps; step++) NextMatrices().CopyTo(all, step * generators.Length * 6);
        // Made on the device directly: on the CPU, `.to(device)` would hand back the very tensor a `using` frees.
        using var flat = tensor(all, device: device);
        planned = flat.view(steps, generators.Length, 2, 3).DetachFromDisposeScope();
        plannedNext = 0;
    }

    public void Dispose()
    {
        planned?.Dispose();
        columns?.Dispose();
        rows?.Dispose();
    }

    private Tensor? columns, rows;

    /// <summary>
    /// affine_grid's sampling grid (N×H×W×2, align_corners false) for N 2×3 matrices, built by broadcasting:
    /// grid = (θ[:,:,0]·x + θ[:,:,2]) + θ[:,:,1]·y over the pixel centres x (per column) and y (per row).
    /// affine_grid gets the same sums from a batched matrix product with an inner size of 3, which on a GPU
    /// runs far below memory speed; here the only full-size kernel is one broadcast addition. The grid takes
    /// no gradient (the transforms are fixed per step), so no backward is involved.
    /// </summary>
    private Tensor Grid(Tensor theta, Device device)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        columns ??= PixelCentres(width, device, theta.dtype).view(1, 1, width, 1).DetachFromDisposeScope();
        rows ??= PixelCentres(height, device, theta.dtype).view(1, height, 1, 1).DetachFromDisposeScope();
        long n = theta.shape[0];
        var perColumn = theta.select(2, 0).reshape(n, 1, 1, 2).mul(columns).add_(theta.select(2, 2).reshape(n, 1, 1, 2));
        var perRow = theta.select(2, 1).reshape(n, 1, 1, 2).mul(rows);
        return perColumn.add(perRow).MoveToOuterDisposeScope();
    }

    /// <summary>Normalised coordinates of the pixel centres along a side of <paramref name="size"/> pixels: (2k + 1)/size − 1.</summary>
    private static Tensor PixelCentres(int size, Device device, ScalarType type) =>
        tensor(Enumerable.Range(0, size).Select(k => (float)((2.0 * k + 1) / size - 1)).ToArray(), device: device).to(type);

    /// <summary>
    /// Per image, the map from a network-input position q to the source position x (both in pixels from
    /// the image centre): x = R(−θ)(q + j₂)/s + j₁, where j₁ and j₂ are the two jitters, s the scale
    /// and θ the angle. affine_grid wants it in normalised coordinates (±1 at the image edges).
    /// </summary>
    public float[] NextMatrices()
    {
        var matrices = new float[generators.Length * 6];
        double hx = width / 2.0, hy = height / 2.0;
        for (int i = 0; i < generators.Length; i++)
        {
            var random = generators[i];
            var (j1x, j1y) = (Shift(random, settings.Jitter), Shift(random, settings.Jitter));
            double s = random.Pick(settings.Scales);
            double angle = random.Pick(settings.Angles) * Math.PI / 180;
            var (j2x, j2y) = (Shift(random, settings.FineJitter), Shift(random, settings.FineJitter));

            double cos = Math.Cos(angle) / s, sin = Math.Sin(angle) / s;
            // A = R(−θ)/s in pixels; b = A·j₂ + j₁.
            double a00 = cos, a01 = sin, a10 = -sin, a11 = cos;
            double bx = a00 * j2x + a01 * j2y + j1x, by = a10 * j2x + a11 * j2y + j1y;
            // Normalised: D⁻¹ A D and D⁻¹ b with D = diag(W/2, H/2).
            matrices[6 * i + 0] = (float)a00;
            matrices[6 * i + 1] = (float)(a01 * hy / hx);
            matrices[6 * i + 2] = (float)(bx / hx);
            matrices[6 * i + 3] = (float)(a10 * hx / hy);
            matrices[6 * i + 4] = (float)a11;
            matrices[6 * i + 5] = (float)(by / hy);
        }
        return matrices;
    }

    // Lucid's jitter(d) crops at an offset in 0…d: relative to the centred position that is o − ⌊d/2⌋,
    // whole pixels, so an unscaled, unrotated view lines up with the pixel grid exactly.
    private static double Shift(SplitMix64 random, int d) => d <= 0 ? 0 : random.Below(d + 1) - d / 2;
}
