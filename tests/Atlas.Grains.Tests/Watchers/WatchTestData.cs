using System.Buffers.Binary;
using System.Net.Sockets;
using Atlas.Core;
using Atlas.Core.Models;
using Azure.Storage.Blobs;
using static TorchSharp.torch;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>Small real inputs for watcher tests: IDX data sets, demo checkpoints, and Azurite (blob + table).</summary>
public static class WatchTestData
{
    /// <summary>Azurite's fixed, public development account key (documented by Microsoft; not a secret).</summary>
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The variable the tests' configs name in azure-blob://…?connection=, so the process-wide default stays untouched.</summary>
    public const string ConnectionVariable = "ATLAS_TEST_WATCH_CONNECTION";

    public static string BlobEndpoint => (Environment.GetEnvironmentVariable("ATLAS_TEST_AZURITE_BLOB") is { Length: > 0 } e ? e : "http://127.0.0.1:10000/devstoreaccount1").TrimEnd('/');

    public static string ConnectionString
    {
        get
        {
            var blob = new Uri(BlobEndpoint);
            // Azurite serves tables on the blob port + 2 (10002 beside 10000).
            var table = new UriBuilder(blob) { Port = blob.Port + 2 }.Uri.ToString().TrimEnd('/');
            return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};BlobEndpoint={BlobEndpoint};TableEndpoint={table};";
        }
    }

    /// <summary>Fails with a message that says how to start Azurite (scripts/test.sh starts it), instead of skipping unnoticed.</summary>
    public static async Task<BlobServiceClient> AzuriteAsync()
    {
        Environment.SetEnvironmentVariable(ConnectionVariable, ConnectionString);
        var uri = new Uri(BlobEndpoint);
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"Azurite is not reachable at {BlobEndpoint}: run the tests with `bash scripts/test.sh`, or start it with `bash scripts/azurite.sh start`", e);
        }
        return new BlobServiceClient(ConnectionString, Atlas.Storage.AzureBlobArtifactStore.CreateClientOptions());
    }

    public static string NewFolder(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "atlas-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A 28×28 grey IDX test split of smooth random blobs with labels 0–9: enough for the demo CNN's probes and examples.</summary>
    public static string IdxDataset(int count = 64, int seed = 5)
    {
        var folder = NewFolder("idx");
        var random = new Random(seed);
        var images = new byte[16 + count * 28 * 28];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        for (int i = 0; i < count; i++)
        {
            double cy = random.Next(6, 22), cx = random.Next(6, 22), r = random.Next(3, 9);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    images[16 + i * 784 + y * 28 + x] = (byte)Math.Clamp(255 * Math.Exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * r * r)) + random.Next(0, 30), 0, 255);
        }
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (int i = 0; i < count; i++) labels[8 + i] = (byte)(i % 10);
        File.WriteAllBytes(Path.Combine(folder, "test-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(folder, "test-labels-idx1-ubyte"), labels);
        return folder;
    }

    private static readonly object TorchLock = new();

    /// <summary>The bytes of a demo CNN checkpoint with seeded random weights; <paramref name="edit"/> may change the network first.</summary>
    public static byte[] DemoCheckpoint(int seed, Action<DemoCnn>? edit = null)
    {
        lock (TorchLock)
        {
            TorchRuntime.Initialize();
            random.manual_seed(seed);
            using var network = new DemoCnn();
            edit?.Invoke(network);
            var path = Path.Combine(NewFolder("ckpt"), "model.pt");
            network.save(path);
            return File.ReadAllBytes(path);
        }
    }

    /// <summary>Runs units of a job through an executor one after another, as a worker would (dependencies first: plan order).</summary>
    public static async Task RunUnitsAsync(Atlas.Grains.Execution.IUnitExecutor executor, Atlas.Abstractions.AtlasJobSpec spec, IEnumerable<Atlas.Abstractions.WorkUnit> units)
    {
        foreach (var unit in units)
            await executor.ExecuteAsync(new Atlas.Abstractions.UnitLease(spec.JobId, Guid.NewGuid(), unit, DateTimeOffset.UtcNow.AddHours(1), spec), CancellationToken.None);
    }

    /// <summary>Bytes no model loader accepts: a corrupt upload.</summary>
    public static byte[] Corrupt(int seed) => [.. Enumerable.Range(0, 3000).Select(i => (byte)((i * 31 + seed * 7) % 251))];

    /// <summary>A watch config (JSON as the loader writes it, absolute paths) for the watcher grain.</summary>
    public static string Config(string atlas, string source, string store, string dataset, string schedule = "on-arrival", int keep = 5) =>
        Atlas.Core.Configuration.AtlasConfigLoader.Serialize(new Atlas.Core.Configuration.AtlasConfig
        {
            Name = atlas,
            Model = new() { Architecture = "demo-cnn", Checkpoint = "/unused.pt" },
            Dataset = new() { Kind = "idx", Path = dataset, Split = "test", ImageSize = 28, Channels = 1 },
            MaxUnitsPerLayer = 3,
            FeatureVis = new() { Steps = 2, ChannelsPerUnit = 3 },
            Examples = new() { TopK = 3, BatchSize = 32, ImagesPerShard = 32 },
            Output = new() { Store = store, Site = "/tmp/unused-site" },
            Watch = new() { Source = source, Schedule = schedule, KeepVersions = keep },
        });
}
