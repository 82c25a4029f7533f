using System.Buffers.Binary;

namespace Atlas.Core.Data;

/// <summary>
/// MNIST-style IDX files (ubyte images, magic 0x803, and ubyte labels, magic 0x801), read by seeking,
/// so any slice costs only its own bytes. The pixels are bytes already, so batches take them as they are.
/// Reads share one file stream, so they are not concurrent.
/// </summary>
public sealed class IdxDataset : IByteImageDataset
{
    private readonly FileStream images;
    private readonly FileStream? labels;
    private readonly int limit;

    /// <param name="classNames">In label order; null names them by their numbers (<see cref="NumberedClasses"/>).</param>
    public IdxDataset(string name, string imagesPath, string? labelsPath, IReadOnlyList<string>? classNames, int? limit = null)
    {
        Name = name;
        images = Open(imagesPath);
        try
        {
            var header = ReadHeader(images, imagesPath, expectedMagic: 0x803, dimensions: 3);
            (int count, Height, Width) = (header[0], header[1], header[2]);
            if (count <= 0) throw new AtlasInputException($"{imagesPath}: holds no images (its header says {count})");
            if (Height <= 0 || Width <= 0) throw new AtlasInputException($"{imagesPath}: its images are {Height}×{Width}, which is no pixels");
            if (labelsPath is not null)
            {
                labels = Open(labelsPath);
                int labelCount = ReadHeader(labels, labelsPath, expectedMagic: 0x801, dimensions: 1)[0];
                if (labelCount != count)
                    throw new AtlasInputException($"{labelsPath}: {labelCount} labels for {count} images in {imagesPath}");
                if (labels.Length < 8L + count)
                    throw new AtlasInputException($"{labelsPath}: truncated ({labels.Length} bytes, header promises {8L + count})");
            }
            ClassNames = classNames ?? (labels is null ? [] : NumberedClasses(labels, count));
            long expected = 16L + (long)count * Height * Width;
            if (images.Length < expected)
                throw new AtlasInputException($"{imagesPath}: truncated ({images.Length} bytes, header promises {expected})");
            this.limit = limit is > 0 ? Math.Min(limit.Value, count) : count;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }
    public int Count => limit;
    public int Channels => 1;
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames { get; }

    public ImageBatch Read(int start, int count) => this.ReadBatch(start, count);

    public ImageSlice ReadBytes(int start, int count, Span<byte> destination)
    {
        ImageSlice.Check(start, count, Count);
        int pixelsPerImage = Height * Width;
        if (destination.Length < count * pixelsPerImage) throw new ArgumentException($"{destination.Length} bytes for {count} images of {pixelsPerImage}", nameof(destination));
        images.Position = 16L + (long)start * pixelsPerImage;
        images.ReadExactly(destination[..(count * pixelsPerImage)]);

        var labelValues = new int[count];
        if (labels is null) Array.Fill(labelValues, -1);
        else
        {
            var rawLabels = new byte[count];
            labels.Position = 8L + start;
            labels.ReadExactly(rawLabels);
            for (int i = 0; i < count; i++) labelValues[i] = rawLabels[i];
        }
        return new ImageSlice(start, count, labelValues);
    }

    /// <summary>
    /// "0", "1", … up to the largest label in the whole file (not only the images a limit keeps): MNIST as published has
    /// no class names, its labels are the digits. Without names a labelled set showed "0 classes", no class spread and
    /// no accuracy, though its labels are the very indices its model was trained to output.
    /// </summary>
    private static IReadOnlyList<string> NumberedClasses(FileStream labels, int count)
    {
        var all = new byte[count];
        labels.Position = 8;
        labels.ReadExactly(all);
        int classes = all.Max() + 1;
        return Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    private static FileStream Open(string path)
    {
        if (!File.Exists(path)) throw new AtlasInputException($"{path}: data file not found");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static int[] ReadHeader(FileStream stream, string path, int expectedMagic, int dimensions)
    {
        Span<byte> header = stackalloc byte[4 + 4 * dimensions];
        if (stream.Read(header) != header.Length) throw new AtlasInputException($"{path}: too short for an IDX header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic) throw new AtlasInputException($"{path}: not an IDX file of the expected kind (magic 0x{magic:x}, expected 0x{expectedMagic:x})");
        var sizes = new int[dimensions];
        for (int i = 0; i < dimensions; i++) sizes[i] = BinaryPrimitives.ReadInt32BigEndian(header[(4 + 4 * i)..]);
        return sizes;
    }

    /// <summary>Writes an IDX pair; used by the demo-data fetcher and by tests.</summary>
    public static void Write(string imagesPath, string labelsPath, int height, int width, IReadOnlyList<byte[]> imageBytes, IReadOnlyList<byte> labelValues)
    {
        using (var output = File.Create(imagesPath))
        {
            Span<byte> header = stackalloc byte[16];
            BinaryPrimitives.WriteInt32BigEndian(header, 0x803);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], imageBytes.Count);
            BinaryPrimitives.WriteInt32BigEndian(header[8..], height);
            BinaryPrimitives.WriteInt32BigEndian(header[12..], width);
            output.Write(header);
            foreach (var image in imageBytes) output.Write(image);
        }
        using (var output = File.Create(labelsPath))
        {
            Span<byte> header = stackalloc byte[8];
            BinaryPrimitives.WriteInt32BigEndian(header, 0x801);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], labelValues.Count);
            output.Write(header);
            foreach (var label in labelValues) output.WriteByte(label);
        }
    }

    public void Dispose()
    {
        images?.Dispose();
        labels?.Dispose();
    }
}
