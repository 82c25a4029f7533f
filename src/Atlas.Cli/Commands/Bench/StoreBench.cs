using System.CommandLine;
using System.Diagnostics;
using Atlas.Cli.Hosting;
using Atlas.Storage;
using Spectre.Console;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// How fast a unit's pictures reach the artifact store one at a time against <see cref="ArtifactStoreBatches.PutManyAsync"/>,
/// and how fast a watched version reuses them from an older one: read and written again, as earlier builds did, against
/// <see cref="IArtifactStore.CopyAsync"/> (a hard link in a folder, the service's copy in a blob container). A local
/// folder, and Azure Blob storage (Azurite) when a connection string is set. Each pass writes its own keys, which are
/// deleted afterwards.
/// </summary>
public static class StoreBench
{
    /// <summary>The `atlas bench store` verb.</summary>
    public static Command Create()
    {
        var objects = new Option<int>("--objects") { Description = "Objects per pass (a GoogLeNet unit of 32 channels stores 224 pictures)", DefaultValueFactory = _ => 224 };
        var bytes = new Option<int>("--bytes") { Description = "Bytes per object (a 128-px picture's PNG is about 40 KB)", DefaultValueFactory = _ => 40_000 };
        var command = new Command("store", $"Objects/s written to the artifact store one at a time against {ArtifactStoreBatches.Concurrency} at a time (a local folder, and Azure Blob when {ClusterSettings.ConnectionVariable} is set)") { objects, bytes };
        command.SetAction(AtlasCli.Guarded(async (parse, _, cancellationToken) =>
        {
            int count = parse.GetValue(objects), size = parse.GetValue(bytes);
            if (count <= 0) throw new Core.AtlasInputException("--objects: must be a positive number");
            if (size < 0) throw new Core.AtlasInputException("--bytes: must not be negative");
            var folder = Directory.CreateTempSubdirectory("atlas-bench-store-");
            var figures = new List<Figures>();
            try
            {
                figures.Add(await RunAsync(new LocalFolderArtifactStore(folder.FullName), "local folder", count, size, cancellationToken));
                if (Environment.GetEnvironmentVariable(ClusterSettings.ConnectionVariable) is { Length: > 0 } connection)
                    figures.Add(await RunAsync(AzureBlobArtifactStore.FromConnectionString(connection, "atlas-bench-store"), "Azure Blob", count, size, cancellationToken));
            }
            finally
            {
                folder.Delete(recursive: true);
            }
            Print(figures);
            return ExitCodes.Success;
        }));
        return command;
    }

    public sealed record Figures(string Store, int Objects, int Bytes, double OneAtATimeSeconds, double ManySeconds, double RewrittenSeconds, double CopiedSeconds)
    {
        public double Speedup => OneAtATimeSeconds / ManySeconds;
    }

    public static async Task<Figures> RunAsync(IArtifactStore store, string name, int objects, int bytes, CancellationToken cancellationToken)
    {
        var content = new byte[bytes];
        new Random(5).NextBytes(content);
        var root = $"bench-store/{Guid.NewGuid():N}";
        ArtifactWrite Write(string pass, int i) => new($"{root}/{pass}/{i}.png", content, "image/png");

        // A warm-up write opens the connection and creates the container, which neither pass should pay for.
        await store.PutAsync($"{root}/warm.png", content, "image/png", cancellationToken);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < objects; i++)
        {
            var write = Write("one", i);
            await store.PutAsync(write.Key, write.Content, write.ContentType, cancellationToken);
        }
        double one = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await store.PutManyAsync(Enumerable.Range(0, objects).Select(i => Write("many", i)), cancellationToken);
        double many = clock.Elapsed.TotalSeconds;

        // Reuse, as many at once as units write: every "many" object put under a new version's keys.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ArtifactStoreBatches.Concurrency, CancellationToken = cancellationToken };
        clock.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, objects), parallel, async (i, token) =>
            await store.PutAsync(Write("rewritten", i).Key, (await store.GetAsync(Write("many", i).Key, token))!, "image/png", token));
        double rewritten = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, objects), parallel, async (i, token) =>
        {
            if (!await store.CopyAsync(Write("many", i).Key, Write("copied", i).Key, "image/png", token))
                throw new InvalidOperationException($"{name}: {Write("many", i).Key} was not there to copy");
        });
        double copied = clock.Elapsed.TotalSeconds;

        var keys = new List<string>();
        await foreach (var key in store.ListAsync(root + "/", cancellationToken)) keys.Add(key);
        if (keys.Count != 4 * objects + 1) throw new InvalidOperationException($"{name}: {keys.Count} objects listed after writing {4 * objects + 1}");
        await Parallel.ForEachAsync(keys, cancellationToken, async (key, token) => await store.DeleteAsync(key, token));
        return new Figures(name, objects, bytes, one, many, rewritten, copied);
    }

    public static void Print(IEnumerable<Figures> figures)
    {
        int many = ArtifactStoreBatches.Concurrency;
        var table = new Table().AddColumns("store", "objects", "bytes", "1 at once s", $"{many} at once s", "1 at once /s", $"{many} at once /s", "gain",
            "reused: get+put /s", "reused: copy /s");
        foreach (var f in figures)
            table.AddRow(Markup.Escape(f.Store), $"{f.Objects}", $"{f.Bytes}", $"{f.OneAtATimeSeconds:F2}", $"{f.ManySeconds:F2}",
                $"{f.Objects / f.OneAtATimeSeconds:F0}", $"{f.Objects / f.ManySeconds:F0}", $"{f.Speedup:F1}×",
                $"{f.Objects / f.RewrittenSeconds:F0}", $"{f.Objects / f.CopiedSeconds:F0}");
        AnsiConsole.Write(table);
    }
}
