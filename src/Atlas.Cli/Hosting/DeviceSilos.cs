using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Atlas.Cli.Commands;
using Serilog;

namespace Atlas.Cli.Hosting;

/// <summary>
/// `atlas silo --devices 0,1,…`: one `atlas silo` child process per GPU, each seeing only its own device
/// (CUDA_VISIBLE_DEVICES) and listening on the base ports plus its position, so one command gives a machine
/// one executor per device. Separate processes rather than several devices in one: libtorch's device is
/// per process here (TorchRuntime), and a CUDA fault ends one child, whose leases the cluster hands to the
/// others while this process starts it again. Ready once every child is; Ctrl+C or SIGTERM stops them all.
/// </summary>
public sealed class DeviceSilos(IReadOnlyList<int> devices, ClusterSettings settings, IReadOnlyList<string> siloArguments, ILogger logger)
{
    /// <summary>Restarts of one device's silo after it had been ready, before this process gives up.</summary>
    public const int MostRestarts = 5;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var children = devices.Select((device, position) => new DeviceSilo(device, settings.SiloPort + position, settings.GatewayPort + position, siloArguments, logger)).ToList();
        try
        {
            foreach (var child in children) child.Start();
            var ready = Task.WhenAll(children.Select(c => c.Ready));
            var failed = Task.WhenAny(children.Select(c => c.ExitedBeforeReady));
            if (await Task.WhenAny(ready, failed, Task.Delay(Timeout.Infinite, cancellationToken)) != ready)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var child = await await failed;
                throw new InvalidOperationException($"the silo for device {child.Device} exited with code {child.ExitCode} before it was ready (its output is above)");
            }
            if (children.Count == 1)
                logger.Information("The silo of device {Device} is ready (silo port {SiloPort})", devices[0], settings.SiloPort);
            else
                logger.Information("{Count} device silos ready (devices {Devices}, silo ports {FirstPort}–{LastPort})",
                    children.Count, string.Join(",", devices), settings.SiloPort, settings.SiloPort + children.Count - 1);
            System.Console.WriteLine(SiloCommand.ReadyLine);
            try
            {
                // Supervision only ends by an exception: too many restarts of one device's silo (which stops them all), or Ctrl+C.
                await await Task.WhenAny(children.Select(c => c.SuperviseAsync(cancellationToken)));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                logger.Information("Stopping the device silos");
            }
            return ExitCodes.Success;
        }
        finally
        {
            await Task.WhenAll(children.Select(c => c.StopAsync()));
        }
    }
}

/// <summary>One device's `atlas silo` child: started, relayed line by line with the device as prefix, restarted after a crash.</summary>
internal sealed class DeviceSilo(int device, int siloPort, int gatewayPort, IReadOnlyList<string> siloArguments, ILogger logger)
{
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<DeviceSilo> exitedBeforeReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? process;

    public int Device => device;
    public int? ExitCode { get; private set; }
    public Task Ready => ready.Task;
    public Task<DeviceSilo> ExitedBeforeReady => exitedBeforeReady.Task;

    public void Start()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // `dotnet atlas.dll …` runs the host; the child needs the program too.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add("silo");
        foreach (var argument in siloArguments) start.ArgumentList.Add(argument);
        start.Environment["CUDA_VISIBLE_DEVICES"] = device.ToString();
        start.Environment["ATLAS_SILO_PORT"] = siloPort.ToString();
        start.Environment["ATLAS_GATEWAY_PORT"] = gatewayPort.ToString();
        var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start the silo for device {device}");
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (e.Data.Trim() == SiloCommand.ReadyLine) ready.TrySetResult();
            else System.Console.Out.WriteLine($"[device {device}] {e.Data}");
        };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) System.Console.Error.WriteLine($"[device {device}] {e.Data}"); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        process = child;
        logger.Information("Started the silo for device {Device} (process {Pid}, silo port {SiloPort}, gateway {GatewayPort})", device, child.Id, siloPort, gatewayPort);
        _ = child.WaitForExitAsync().ContinueWith(_ =>
        {
            ExitCode = child.ExitCode;
            if (!ready.Task.IsCompleted) exitedBeforeReady.TrySetResult(this);
        }, TaskScheduler.Default);
    }

    /// <summary>Waits while the child runs; a child that exits on its own (a crash) is started again, up to <see cref="DeviceSilos.MostRestarts"/> times.</summary>
    public async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        for (int restarts = 0; ; restarts++)
        {
            await process!.WaitForExitAsync(cancellationToken);
            if (restarts == DeviceSilos.MostRestarts)
                throw new InvalidOperationException($"the silo for device {device} exited {restarts + 1} times; the last exit code was {process.ExitCode}");
            logger.Warning("The silo for device {Device} exited with code {ExitCode}; the cluster hands its leases to other workers, and it starts again", device, process.ExitCode);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            process.Dispose();
            Start();
        }
    }

    /// <summary>Asks the child to stop as Ctrl+C would (SIGTERM), and kills it after 40 s.</summary>
    public async Task StopAsync()
    {
        if (process is null || process.HasExited) return;
        if (OperatingSystem.IsWindows() || Signal(process.Id, Terminate) != 0) process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private const int Terminate = 15; // SIGTERM

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);
}
