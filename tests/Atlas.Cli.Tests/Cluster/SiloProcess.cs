using System.Diagnostics;
using Atlas.Cli.Commands;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>A real `atlas silo` process; its log is kept for the failure message of a test.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private bool closed;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(IReadOnlyDictionary<string, string> environment, string logFile, IReadOnlyList<string> arguments)
    {
        LogFile = logFile;
        log = new StreamWriter(logFile) { AutoFlush = true };
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "atlas.dll"));
        start.ArgumentList.Add("silo");
        start.ArgumentList.Add("--verbosity");
        start.ArgumentList.Add("detailed");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.Environment["ATLAS_SILO_PORT"] = $"{SiloPort}";
        start.Environment["ATLAS_GATEWAY_PORT"] = $"{GatewayPort}";
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Write(e.Data);
            if (e.Data.Trim() == SiloCommand.ReadyLine) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Write(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => process.Id;

    /// <summary>The ports the silo was given (with --devices, the first device's; the others follow).</summary>
    public int SiloPort => ports[0];
    public int GatewayPort => ports[1];
    private readonly IReadOnlyList<int> ports = AzuriteServer.FreePorts(2);

    // Output can still arrive after the process was killed and the log closed.
    private void Write(string line)
    {
        lock (log) if (!closed) log.WriteLine(line);
    }
    /// <summary>Everything the silo printed (detailed verbosity), kept for diagnosing a failed test.</summary>
    public string LogFile { get; }

    /// <param name="arguments">More arguments for `atlas silo` (such as --devices).</param>
    /// <remarks>
    /// A port picked free can be taken before the silo binds it (another test's connection got it as its local
    /// port): the silo then refuses to start, and another start on fresh ports is tried.
    /// </remarks>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string logFile, IReadOnlyList<string>? arguments = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var silo = new SiloProcess(environment, logFile, arguments ?? []);
            var finished = await Task.WhenAny(silo.ready.Task, silo.process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(120)));
            if (finished == silo.ready.Task) return silo;
            silo.Dispose();
            if (attempt < 3 && (await File.ReadAllTextAsync(logFile)).Contains("is already in use on this machine", StringComparison.Ordinal)) continue;
            throw new InvalidOperationException($"silo did not become ready; its log: {logFile}");
        }
    }

    /// <summary>kill -9: the silo gets no chance to hand anything back.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
        lock (log)
        {
            closed = true;
            log.Dispose();
        }
    }
}
