using System.Diagnostics;
using System.Net.Sockets;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>
/// A private Azurite (from the npm install that scripts/test.sh makes under .tools/azurite) on its own
/// ports and data folder, so a test can stop it and start it again on the same data.
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly string dataFolder = TestData.NewTempFolder("azurite");
    private int queuePort, tablePort;
    private bool started;
    private Process? process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> errors = new();

    public AzuriteServer() => PickPorts();

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";

    public int BlobPort { get; private set; }

    public static string Script => Path.Combine(TestData.RepoRoot, ".tools", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");

    /// <summary>
    /// Starts Azurite; the first start tries fresh ports when one it was given is taken meanwhile (a free port is
    /// only free until another test process binds it; CI saw Azurite exit with EADDRINUSE). A restart keeps its
    /// ports, because clients already hold the connection string.
    /// </summary>
    public async Task StartAsync()
    {
        if (!File.Exists(Script))
            throw new InvalidOperationException($"Azurite is not installed at {Script}; run the tests with `bash scripts/test.sh`, which installs it");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync();
                started = true;
                return;
            }
            catch (PortTakenException) when (!started && attempt < 3)
            {
                PickPorts();
            }
        }
    }

    private async Task StartOnceAsync()
    {
        errors.Clear();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Script, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--location", dataFolder,
            "--blobHost", "127.0.0.1", "--blobPort", $"{BlobPort}", "--queueHost", "127.0.0.1", "--queuePort", $"{queuePort}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{tablePort}",
        }) start.ArgumentList.Add(arg);
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { } text) errors.Enqueue(text); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Node loading Azurite takes seconds; on a 2-core machine busy with the other test projects, many more.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(Listening(BlobPort) && Listening(tablePort)))
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // lets the stderr reader drain, so the message below is complete
                var said = string.Join(" ", errors);
                process.Dispose();
                process = null;
                var message = $"Azurite exited at start: {said}";
                if (said.Contains("EADDRINUSE")) throw new PortTakenException(message);
                throw new InvalidOperationException(message);
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Azurite did not start listening within 2 minutes");
            await Task.Delay(100);
        }
    }

    /// <summary>Stops Azurite the way an operator would (SIGTERM), so it flushes its data folder.</summary>
    public async Task StopAsync()
    {
        if (process is null || process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", $"{process.Id}"])) await kill!.WaitForExitAsync();
        if (!process.WaitForExit(15_000)) process.Kill(entireProcessTree: true);
        process.Dispose();
        process = null;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void PickPorts()
    {
        var ports = FreePorts(3);
        (BlobPort, queuePort, tablePort) = (ports[0], ports[1], ports[2]);
    }

    private sealed class PortTakenException(string message) : Exception(message);

    public static int FreePort() => FreePorts(1)[0];

    /// <summary>Distinct free ports: the listeners are held together so the system cannot hand out one twice.</summary>
    public static IReadOnlyList<int> FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(System.Net.IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var listener in listeners) listener.Start();
            return listeners.Select(listener => ((System.Net.IPEndPoint)listener.LocalEndpoint).Port).ToList();
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
    }

    public void Dispose()
    {
        if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
        process?.Dispose();
    }
}
