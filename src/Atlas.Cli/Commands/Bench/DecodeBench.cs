using System.CommandLine;
using System.Diagnostics;
using Atlas.Core.Data;
using SkiaSharp;
using Spectre.Console;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// How fast this machine decodes an image folder to a model's input (resize, centre crop): the ceiling of a
/// dataset pass over photos, whatever the device. Without a folder it writes synthetic photo-sized JPEGs
/// (smooth colour fields with grain, about ImageNet's 500×375) to a temporary folder first.
/// </summary>
public static class DecodeBench
{
    /// <summary>The `atlas bench decode` verb.</summary>
    public static Command Create()
    {
        var folder = new Option<DirectoryInfo?>("--folder") { Description = "An image folder (one subfolder per class) to decode; default: synthetic 500×375 JPEGs written to a temporary folder" };
        var images = new Option<int>("--images") { Description = "Images to decode", DefaultValueFactory = _ => 800 };
        var size = new Option<int>("--size") { Description = "The model's input side the images are decoded to", DefaultValueFactory = _ => 224 };
        var keep = new Option<DirectoryInfo?>("--keep-photos") { Description = "Write the synthetic photos to this folder and keep them (for `atlas bench examples --folder`); not with --folder" };
        var command = new Command("decode", "Images/s this machine decodes from an image folder to a model's input (the ceiling of a dataset pass over photos), and reads back from a pixel cache (dataset.pixelCache)") { folder, images, size, keep };
        command.SetAction(AtlasCli.Guarded(async (parse, _, cancellationToken) =>
        {
            int count = parse.GetValue(images), side = parse.GetValue(size);
            if (count <= 0) throw new Core.AtlasInputException("--images: must be a positive number");
            if (side is < 8 or > 4096) throw new Core.AtlasInputException("--size: must be between 8 and 4096");
            var given = parse.GetValue(folder);
            var kept = parse.GetValue(keep);
            if (given is { Exists: false }) throw new Core.AtlasInputException($"--folder: '{given.FullName}' not found");
            if (given is not null && kept is not null) throw new Core.AtlasInputException("--keep-photos: not with --folder (only synthetic photos are written)");
            if (kept is not null) BenchChecks.WritableFolder("--keep-photos", kept);
            var scratch = Directory.CreateTempSubdirectory("atlas-bench-decode-");
            try
            {
                string source = given?.FullName ?? kept?.FullName ?? Path.Combine(scratch.FullName, "photos");
                if (given is null) WriteSyntheticPhotos(source, count, cancellationToken);
                var (firstMs, againMs, files) = TimeListing(source);
                AnsiConsole.MarkupLineInterpolated($"Listing {files} files: {firstMs:F0} ms the first time, {againMs:F1} ms when opened again unchanged");
                Core.TorchRuntime.Initialize(); // the batch buffers are host tensors
                var figures = new List<Figures>(Run(source, count, side, cancellationToken));
                figures.AddRange(RunCached(source, Path.Combine(scratch.FullName, "pixels"), count, side, cancellationToken));
                Print(figures);
                var png = TimePngEncoding(source, count, side, cancellationToken);
                AnsiConsole.MarkupLineInterpolated($"PNG encoding of {png.Pictures} decoded images (what the reduce unit stores for the site): {png.MsOnOneCore:F1} ms a picture on one core, {png.PerSecondOnAllCores:F0} pictures/s on all cores, {png.Kilobytes:F0} KB each");
            }
            finally
            {
                scratch.Delete(recursive: true);
            }
            // Interrupted at the last moment, the figures may be incomplete: the interrupt is reported all the same (exit 130).
            cancellationToken.ThrowIfCancellationRequested();
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Milliseconds to list the folder the first time in this process and to open it again unchanged (the list is
    /// reused, <see cref="ImageFolderListing"/>): what every dataset shard's open cost before and after that.
    /// </summary>
    public static (double FirstMs, double AgainMs, int Files) TimeListing(string folder)
    {
        var clock = Stopwatch.StartNew();
        var listing = ImageFolderListing.Of(folder);
        double first = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        ImageFolderListing.Of(folder);
        return (first, clock.Elapsed.TotalMilliseconds, listing.Files.Length);
    }

    public sealed record Figures(string Folder, string Source, int Images, double KilobytesPerFile, int Size, int Cores, double Seconds)
    {
        public double ImagesPerSecond => Images / Seconds;
    }

    /// <summary>
    /// Decodes the folder's first images as a pass does (through <see cref="BatchPrefetcher"/>, its default readers):
    /// once to warm the file-system cache, then timed as the float batches a CPU pass reads and as the byte batches
    /// a GPU pass sends.
    /// </summary>
    public static IReadOnlyList<Figures> Run(string folder, int images, int size, CancellationToken cancellationToken)
    {
        using var data = new ImageFolderDataset(folder, ImageGeometry.For(size, 3));
        int count = Math.Min(images, data.Count);
        Pass(data, count, asBytes: true, cancellationToken);
        double kilobytes = KilobytesPerFile(data, count);
        return [Time("decode, floats (CPU)", data, count, asBytes: false, kilobytes), Time("decode, bytes (GPU)", data, count, asBytes: true, kilobytes)];

        Figures Time(string source, IImageDataset images, int n, bool asBytes, double perFile)
        {
            var clock = Stopwatch.StartNew();
            Pass(images, n, asBytes, cancellationToken);
            return new Figures(folder, source, n, perFile, size, Environment.ProcessorCount, clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>The same images through a pixel cache in <paramref name="cache"/>: the pass that fills it, then passes that read it.</summary>
    public static IReadOnlyList<Figures> RunCached(string folder, string cache, int images, int size, CancellationToken cancellationToken)
    {
        var geometry = ImageGeometry.For(size, 3);
        var figures = new List<Figures>();
        foreach (var (source, asBytes) in new[] { ("decode, fill cache", true), ("cache, floats (CPU)", false), ("cache, bytes (GPU)", true) })
        {
            using var data = new PixelCacheDataset(new ImageFolderDataset(folder, geometry), cache, folder, geometry);
            int count = Math.Min(images, data.Count);
            var clock = Stopwatch.StartNew();
            Pass(data, count, asBytes, cancellationToken);
            figures.Add(new Figures(folder, source, count, 0, size, Environment.ProcessorCount, clock.Elapsed.TotalSeconds));
        }
        return figures;
    }

    /// <summary>Encodes up to 200 of the folder's decoded images as the reduce unit does, one at a time and then on all cores.</summary>
    public static (int Pictures, double MsOnOneCore, double PerSecondOnAllCores, double Kilobytes) TimePngEncoding(string folder, int images, int size, CancellationToken cancellationToken)
    {
        using var data = new ImageFolderDataset(folder, ImageGeometry.For(size, 3));
        int count = Math.Min(Math.Min(images, 200), data.Count);
        cancellationToken.ThrowIfCancellationRequested();
        var pixels = data.Read(0, count).Pixels;
        int stride = data.Channels * data.Height * data.Width;
        byte[] Encode(int i)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Core.Imaging.PngEncoder.Encode(pixels.AsSpan(i * stride, stride), data.Channels, data.Height, data.Width);
        }
        Encode(0);
        var clock = Stopwatch.StartNew();
        long bytes = Enumerable.Range(0, count).Sum(i => (long)Encode(i).Length);
        double oneCore = clock.Elapsed.TotalMilliseconds / count;
        clock.Restart();
        Enumerable.Range(0, count).AsParallel().WithCancellation(cancellationToken).Select(i => Encode(i).Length).Sum();
        return (count, oneCore, count / clock.Elapsed.TotalSeconds, bytes / 1024.0 / count);
    }

    private static double KilobytesPerFile(ImageFolderDataset data, int count) => Enumerable.Range(0, count).Average(i => new FileInfo(data.FileOf(i)).Length) / 1024;

    private static void Pass(IImageDataset data, int count, bool asBytes, CancellationToken cancellationToken)
    {
        using var prefetcher = new BatchPrefetcher(data, 0, count, 256, TorchSharp.torch.CPU, cancellationToken, packBytes: asBytes);
        foreach (var batch in prefetcher.Batches()) prefetcher.Release(batch);
    }

    /// <summary>Writes <paramref name="images"/> 500×375 JPEGs (quality 90) in four class folders under <paramref name="folder"/>.</summary>
    public static void WriteSyntheticPhotos(string folder, int images, CancellationToken cancellationToken)
    {
        Parallel.For(0, images, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var random = new Random(i);
            using var bitmap = new SKBitmap(500, 375);
            var pixels = new byte[500 * 375 * 4];
            double fx = random.NextDouble() * 0.05, fy = random.NextDouble() * 0.05;
            for (int y = 0; y < 375; y++)
                for (int x = 0; x < 500; x++)
                {
                    int o = (y * 500 + x) * 4, grain = random.Next(24);
                    pixels[o] = (byte)(127 + 100 * Math.Sin(x * fx + i) + grain / 2);
                    pixels[o + 1] = (byte)(127 + 100 * Math.Cos(y * fy) + grain / 2);
                    pixels[o + 2] = (byte)(90 + (x + y) % 120 + grain);
                    pixels[o + 3] = 255;
                }
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
            using var image = SKImage.FromBitmap(bitmap);
            using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            var classFolder = Path.Combine(folder, $"class{i % 4}");
            Directory.CreateDirectory(classFolder);
            File.WriteAllBytes(Path.Combine(classFolder, $"{i:D6}.jpg"), encoded.ToArray());
        });
    }

    public static void Print(IReadOnlyList<Figures> figures)
    {
        AnsiConsole.MarkupLineInterpolated($"{figures[0].Folder}, decoded to {figures[0].Size}×{figures[0].Size} on {figures[0].Cores} cores:");
        var table = new Table().AddColumns("pass", "images", "KB/file", "s", "images/s", "per core");
        foreach (var f in figures)
            table.AddRow(Markup.Escape(f.Source), $"{f.Images}", f.KilobytesPerFile > 0 ? $"{f.KilobytesPerFile:F0}" : "", $"{f.Seconds:F2}",
                $"{f.ImagesPerSecond:F0}", $"{f.ImagesPerSecond / f.Cores:F0}");
        AnsiConsole.Write(table);
    }
}
