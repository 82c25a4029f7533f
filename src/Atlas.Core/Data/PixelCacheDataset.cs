using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Atlas.Core.Data;

/// <summary>
/// An image folder whose decoded pixels are kept on disk (dataset.pixelCache), so later passes over the
/// same images read bytes instead of decoding photos: a CPU core decodes about 230 photo-sized JPEGs a
/// second, far below what a GPU scans, and a watched model rescans the same images for every checkpoint.
/// </summary>
/// <remarks>
/// Pixels are kept as the bytes the decoder produced (the model's pixels are those bytes / 255, so reading
/// them back is exact), in chunks of <see cref="ChunkImages"/> consecutive images, one file each, under a
/// folder named by the image folder and the geometry. A chunk is decoded whole the first time any of its
/// images is read. Each file records a digest of its images' paths, sizes and modification times and is
/// used only while they match, so a replaced image is decoded again. A chunk with an unreadable image is
/// not kept (it is decoded on every pass, and its images are reported as skipped each time; within one
/// pass, reads after the first decode only their own images). Files are
/// written to a temporary name and renamed, so concurrent workers and crashes never leave half a chunk.
/// </remarks>
public sealed class PixelCacheDataset : IByteImageDataset, IFileDataset
{
    /// <summary>
    /// Images per cache file: 75 MB at 224 px in colour. It divides examples.imagesPerShard's default (2,500), so
    /// each shard decodes only its own chunks; with 1,000, every other shard boundary split a chunk, and two shards
    /// scanning at once both decoded it whole.
    /// </summary>
    public const int ChunkImages = 500;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes($"ATPX{ImageConformer.Version:D4}"); // files of older pixels are stale
    private const int HeaderBytes = 8 + 32; // magic, digest of the chunk's files

    private readonly ImageFolderDataset inner;
    private readonly string folder;
    private readonly int chunkImages;
    private readonly int stride;
    private readonly ConcurrentDictionary<int, object> chunkLocks = new();
    // A chunk's digest stats each of its files: taken once per chunk and instance (one shard's pass), not per batch.
    private readonly ConcurrentDictionary<int, byte[]> digests = new();
    // Chunks this instance decoded but could not keep (an unreadable image): later reads decode just their slice.
    private readonly ConcurrentDictionary<int, bool> uncacheable = new();
    private long decoded, fromCache;

    /// <param name="chunkImages">Images per cache file (<see cref="ChunkImages"/>; tests use a few).</param>
    public PixelCacheDataset(ImageFolderDataset inner, string cacheRoot, string imageFolder, ImageGeometry geometry, int chunkImages = ChunkImages)
    {
        this.inner = inner;
        this.chunkImages = chunkImages;
        stride = geometry.PixelsPerImage;
        var identity = $"{Path.TrimEndingDirectorySeparator(Path.GetFullPath(imageFolder))}|{geometry.Size}|{geometry.Channels}|{geometry.ResizeShorterSide}|{chunkImages}{(geometry.ReducedScaleDecode ? "" : "|full-scale")}";
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        folder = Path.Combine(cacheRoot, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(imageFolder))}-{geometry.Size}px-{name}");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AtlasInputException($"dataset.pixelCache: cannot create '{folder}': {e.Message}", e);
        }
    }

    public string Name => inner.Name;
    public int Count => inner.Count;
    public int Channels => inner.Channels;
    public int Height => inner.Height;
    public int Width => inner.Width;
    public IReadOnlyList<string> ClassNames => inner.ClassNames;
    public bool ConcurrentReads => true;

    /// <summary>Images decoded from their files so far (whole chunks), and images read back from the cache.</summary>
    public (long Decoded, long FromCache) Served => (Interlocked.Read(ref decoded), Interlocked.Read(ref fromCache));

    /// <summary>The images this instance could not decode (only chunks that were decoded, see remarks).</summary>
    public IReadOnlyList<SkippedImage> SkippedImages => inner.SkippedImages;

    public ImageBatch Read(int start, int count) => this.ReadBatch(start, count);

    public ImageSlice ReadBytes(int start, int count, Span<byte> destination)
    {
        ImageSlice.Check(start, count, Count);
        if (destination.Length < count * stride) throw new ArgumentException($"{destination.Length} bytes for {count} images of {stride}", nameof(destination));
        var labels = new int[count];
        bool[]? skipped = null;
        for (int chunk = start / chunkImages; chunk * chunkImages < start + count; chunk++)
        {
            int chunkStart = chunk * chunkImages, chunkCount = Math.Min(chunkImages, Count - chunkStart);
            int from = Math.Max(start, chunkStart), to = Math.Min(start + count, chunkStart + chunkCount);
            var part = ReadChunkSlice(chunk, chunkStart, chunkCount, from, to - from, destination.Slice((from - start) * stride, (to - from) * stride));
            part.Labels.CopyTo(labels, from - start);
            if (part.Skipped is not { } flags) continue;
            skipped ??= new bool[count];
            flags.CopyTo(skipped, from - start);
        }
        return new ImageSlice(start, count, labels, skipped);
    }

    /// <summary>
    /// Images [from, from + count) of one chunk into <paramref name="destination"/>: from its cache file if that holds,
    /// otherwise by decoding the whole chunk (and keeping it when every image decoded).
    /// </summary>
    private ImageSlice ReadChunkSlice(int chunk, int chunkStart, int chunkCount, int from, int count, Span<byte> destination)
    {
        var file = Path.Combine(folder, $"chunk-{chunk:D6}.u8");
        // One reader decodes a chunk; readers of the same chunk wait and then read the file it wrote.
        lock (chunkLocks.GetOrAdd(chunk, _ => new object()))
        {
            if (uncacheable.ContainsKey(chunk))
            {
                Interlocked.Add(ref decoded, count);
                return inner.ReadBytes(from, count, destination);
            }
            var digest = digests.GetOrAdd(chunk, _ => Digest(chunkStart, chunkCount));
            if (TryReadCached(file, digest, from - chunkStart, destination))
            {
                Interlocked.Add(ref fromCache, count);
                return new ImageSlice(from, count, Enumerable.Range(from, count).Select(inner.LabelOf).ToArray());
            }
            var whole = System.Buffers.ArrayPool<byte>.Shared.Rent(chunkCount * stride);
            try
            {
                var wholeSlice = inner.ReadBytes(chunkStart, chunkCount, whole);
                Interlocked.Add(ref decoded, chunkCount);
                if (wholeSlice.Skipped is null) Write(file, digest, whole.AsSpan(0, chunkCount * stride));
                else uncacheable[chunk] = true;
                int offset = from - chunkStart;
                whole.AsSpan(offset * stride, count * stride).CopyTo(destination);
                return new ImageSlice(from, count, wholeSlice.Labels[offset..(offset + count)], wholeSlice.Skipped?[offset..(offset + count)]);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(whole);
            }
        }
    }

    /// <summary>What identifies a chunk's images: their paths, sizes and modification times.</summary>
    private byte[] Digest(int chunkStart, int chunkCount)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> numbers = stackalloc byte[16];
        for (int i = chunkStart; i < chunkStart + chunkCount; i++)
        {
            var file = new FileInfo(inner.FileOf(i));
            var info = FileContent.Target(file) ?? file; // a linked image changes with its target
            hash.AppendData(Encoding.UTF8.GetBytes(info.FullName));
            BinaryPrimitives.WriteInt64LittleEndian(numbers, info.Exists ? info.Length : -1);
            BinaryPrimitives.WriteInt64LittleEndian(numbers[8..], info.Exists ? info.LastWriteTimeUtc.Ticks : 0);
            hash.AppendData(numbers);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>Reads the cached bytes of images [offset, offset + count) of a chunk straight into <paramref name="destination"/>; false when the file does not hold them.</summary>
    private bool TryReadCached(string file, byte[] digest, int offset, Span<byte> destination)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            Span<byte> header = stackalloc byte[HeaderBytes];
            stream.ReadExactly(header);
            if (!header[..8].SequenceEqual(Magic) || !header[8..].SequenceEqual(digest)) return false;
            stream.Seek(HeaderBytes + (long)offset * stride, SeekOrigin.Begin);
            stream.ReadExactly(destination);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // missing, cut short or unreadable: decode instead
        }
    }

    private void Write(string file, byte[] digest, ReadOnlySpan<byte> pixels)
    {
        var partial = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        try
        {
            using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(Magic);
                stream.Write(digest);
                stream.Write(pixels);
            }
            File.Move(partial, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk, a read-only or vanished folder costs this chunk its cache, never the pass.
            try { File.Delete(partial); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public void Dispose() => inner.Dispose();

    /// <inheritdoc />
    public string FileOf(int index) => inner.FileOf(index);
}
