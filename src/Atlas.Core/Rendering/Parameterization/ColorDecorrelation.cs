using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Lucid's colour decorrelation: the optimiser works in a decorrelated colour basis (the square root of
/// ImageNet's colour covariance, from its SVD) and this maps it back to RGB, so a step changes
/// brightness and colour the way natural images vary. The matrix is divided by its largest column norm.
/// </summary>
public static class ColorDecorrelation
{
    private static readonly double[,] SvdSqrt =
    {
        { 0.26, 0.09, 0.02 },
        { 0.27, 0.00, -0.05 },
        { 0.27, -0.09, 0.03 },
    };

    /// <summary>The normalised 3×3 matrix, row-major.</summary>
    public static float[] Matrix()
    {
        double largest = Enumerable.Range(0, 3)
            .Max(col => Math.Sqrt(Enumerable.Range(0, 3).Sum(row => SvdSqrt[row, col] * SvdSqrt[row, col])));
        return Enumerable.Range(0, 9).Select(i => (float)(SvdSqrt[i / 3, i % 3] / largest)).ToArray();
    }

    /// <summary>rgb[b, i] = Σ_j M[i, j] · t[b, j] for a B×3×H×W tensor.</summary>
    public static Tensor Apply(Tensor image)
    {
        using var matrix = MatrixOn(image.device, image.dtype);
        return Apply(image, matrix);
    }

    /// <summary>
    /// As <see cref="Apply(Tensor)"/> with the matrix already on the image's device (see <see cref="MatrixOn"/>).
    /// Written as a broadcast product summed over the input colour, not as einsum: einsum makes it one matrix
    /// product with 3 rows over every pixel of the batch, with transposing copies around it, and on a GPU such
    /// a product runs far below memory speed (PyTorch's H200 profile of the recipe, bench/RESULTS.md).
    /// </summary>
    public static Tensor Apply(Tensor image, Tensor matrix)
    {
        using var products = image.unsqueeze(1) * matrix.view(1, 3, 3, 1, 1); // [b, i, j, h, w] = M[i, j] · t[b, j, h, w]
        return products.sum(2);
    }

    public static Tensor MatrixOn(Device device, ScalarType dtype) => tensor(Matrix(), device: device, dtype: dtype).view(3, 3);
}
