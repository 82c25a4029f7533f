using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>
/// A loopback cluster for one test: a private Azurite, N `atlas silo` processes sharing the same
/// environment variables as docker-compose, an in-process Orleans client, and a small demo job.
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private ClusterConnection? connection;

    public AzuriteServer Azurite { get; } = new();
    public List<SiloProcess> Silos { get; } = [];
    public string Folder { get; } = TestData.NewTempFolder("cluster");
    public string Container { get; } = $"atlas-{Guid.NewGuid():N}"[..30];
    public Dictionary<string, string> Environment { get; } = new();
    public AtlasJobSpec? Spec { get; private set; }

    public IAtlasJobGrain Job => JobNamed(Spec!.JobId);
    public IAtlasJobGrain JobNamed(string jobId) => connection!.Client.GetGrain<IAtlasJobGrain>(jobId);
    public Task<string> SiloDevice() => connection!.Client.GetGrain<ISiloProbeGrain>(0).DeviceType();
    public IArtifactStore Store => ArtifactStores.Open($"azure-blob://{Container}", name => Environment.GetValueOrDefault(name));
    public AtlasKeys Keys => new(Spec!.Atlas, Spec.Version);

    /// <param name="siloArguments">More arguments for each `atlas silo` (such as --devices).</param>
    public async Task StartAsync(int silos, IReadOnlyList<string>? siloArguments = null)
    {
        await Azurite.StartAsync();
        Environment[ClusterSettings.ConnectionVariable] = Azurite.ConnectionString;
        Environment["ATLAS_CLUSTER_ID"] = $"test-{Guid.NewGuid():N}";
        // Job state is keyed by service: a fresh service id keeps tests from seeing each other's jobs.
        Environment["ATLAS_SERVICE_ID"] = $"atlas-test-{Guid.NewGuid():N}";
        Environment["ATLAS_LEASE_SECONDS"] = "4";
        Environment["ATLAS_RENEW_SECONDS"] = "1";
        Environment["ATLAS_PROBE_TIMEOUT_SECONDS"] = "1";
        await StartSilosAsync(silos, siloArguments);
        connection = await ClusterConnection.ConnectAsync(ClusterSettings.FromEnvironment(n => Environment.GetValueOrDefault(n)), Serilog.Core.Logger.None, CancellationToken.None);
    }

    public async Task StartSilosAsync(int count, IReadOnlyList<string>? arguments = null) =>
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            SiloProcess.StartAsync(Environment, Path.Combine(Folder, $"silo-{Silos.Count + i}-{Guid.NewGuid():N}.log"), arguments))));

    /// <summary>Submits the demo model's job, small but with enough units (2 channels each) to be caught mid-way.</summary>
    public async Task<JobStatus> SubmitAsync(int steps = 40)
    {
        var config = AtlasConfigLoader.Load(await WriteConfigAsync(steps));
        Spec = JobSpecBuilder.Build(config);
        return await Job.Submit(Spec);
    }

    /// <param name="channelsPerUnit">featureVis.channelsPerUnit; null leaves it out (sized for the workers' device).</param>
    /// <param name="checkpoint">The weights; the trained demo checkpoint by default.</param>
    public async Task<string> WriteConfigAsync(int steps, int? channelsPerUnit = 2, string? checkpoint = null)
    {
        var unitSize = channelsPerUnit is { } n ? $", \"channelsPerUnit\": {n}" : "";
        var path = Path.Combine(Folder, "config.json");
        checkpoint ??= await TrainedCheckpoint.GetAsync();
        await File.WriteAllTextAsync(path, $$"""
            {
              "name": "cluster-demo",
              "model": { "architecture": "demo-cnn", "checkpoint": {{System.Text.Json.JsonSerializer.Serialize(checkpoint)}} },
              "dataset": { "kind": "fashion-mnist", "path": {{System.Text.Json.JsonSerializer.Serialize(TestData.FashionMnistFolder())}}, "limit": 400 },
              "featureVis": { "steps": {{steps}}{{unitSize}} },
              "examples": { "topK": 9, "batchSize": 100, "imagesPerShard": 100 },
              "output": { "store": "azure-blob://{{Container}}", "site": "site" }
            }
            """);
        return path;
    }

    /// <summary>Job status, riding out the seconds in which a dead silo's grains move elsewhere.</summary>
    public async Task<JobStatus> StatusAsync()
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                return await Job.GetStatus().WaitAsync(timeout.Token);
            }
            catch (Exception) when (attempt < 30)
            {
                await Task.Delay(500);
            }
        }
    }

    public async Task<JobStatus> WaitUntilAsync(Func<JobStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await StatusAsync();
            if (condition(status)) return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"job state {status.State}, {status.Done}/{status.Total} done after {timeout}; silo logs in {Folder}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            try { await connection.DisposeAsync(); } catch (Exception) { /* the cluster may be gone already */ }
        }
        foreach (var silo in Silos) silo.Dispose();
        await Azurite.StopAsync();
        Azurite.Dispose();
    }
}
