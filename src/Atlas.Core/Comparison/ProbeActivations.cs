using Atlas.Core.Data;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Comparison;

/// <summary>
/// Each unit's response to a fixed probe set: for every probe image, the unit's maximum over spatial
/// positions (the same statistic the dataset examples rank by). Two versions of a model that saw the
/// same probe images can then be compared unit by unit without loading both models at once.
/// </summary>
public static class ProbeActivations
{
    /// <summary>The probe set: the first images of the data set, up to this many.</summary>
    public const int DefaultProbeImages = 256;

    /// <summary>Per layer, a units × images matrix (row-major: unit u's responses are [u*images, (u+1)*images)).</summary>
    public static IReadOnlyDictionary<string, ProbeMatrix> Compute(IAtlasModel model, IImageDataset data, IReadOnlyList<string> layers,
        int probeImages = DefaultProbeImages, int batchSize = 64, CancellationToken cancellationToken = default)
    {
        int count = Math.Min(probeImages, data.Count);
        if (count == 0) throw new AtlasInputException($"dataset {data.Name}: no images for the comparison probe set");
        var device = ModelDevice.Of(model);
        var columns = layers.ToDictionary(l => l, _ => new List<float[]>());
        int[] units = new int[layers.Count];
        using var noGrad = no_grad();
        for (int offset = 0; offset < count; offset += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = data.Read(offset, Math.Min(batchSize, count - offset));
            var pixels = batch.ToTensor(data, device);
            var activations = model.Activations(pixels, layers);
            for (int l = 0; l < layers.Count; l++)
            {
                var a = activations[layers[l]];
                var perImage = a.dim() == 4 ? a.amax([2, 3]) : a.flatten(1);
                units[l] = (int)perImage.shape[1];
                // images × units, image-major; transposed once at the end.
                columns[layers[l]].Add(perImage.to(float32).cpu().contiguous().data<float>().ToArray());
            }
        }
        var result = new Dictionary<string, ProbeMatrix>();
        for (int l = 0; l < layers.Count; l++)
        {
            var rows = columns[layers[l]].SelectMany(c => c).ToArray();
            int u = units[l];
            var values = new float[u * count];
            for (int i = 0; i < count; i++)
                for (int j = 0; j < u; j++)
                    values[j * count + i] = rows[i * u + j];
            result[layers[l]] = new ProbeMatrix(u, count, values);
        }
        return result;
    }
}

/// <summary>Units × probe images, row-major by unit.</summary>
public sealed record ProbeMatrix(int Units, int Images, float[] Values)
{
    public ReadOnlySpan<float> Row(int unit) => Values.AsSpan(unit * Images, Images);

    /// <summary>Little-endian float32 values after an 8-byte header (units, images): compact and exact.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[8 + Values.Length * 4];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), Units);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), Images);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan()).CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    public static ProbeMatrix FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8) throw new InvalidDataException("probe matrix: shorter than its header");
        int units = BitConverter.ToInt32(bytes[..4]), images = BitConverter.ToInt32(bytes.Slice(4, 4));
        if (units < 0 || images < 0 || bytes.Length != 8 + (long)units * images * 4)
            throw new InvalidDataException($"probe matrix: {bytes.Length} bytes do not hold {units}×{images} floats");
        return new ProbeMatrix(units, images, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes[8..]).ToArray());
    }
}
