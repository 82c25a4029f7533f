using System.CommandLine;
using Atlas.Cli.Hosting;
using Microsoft.Extensions.Hosting;

namespace Atlas.Cli.Commands;

/// <summary>`atlas silo`: a worker silo of a cluster, configured from the environment, running until stopped.</summary>
public static class SiloCommand
{
    /// <summary>Printed on standard output once the silo has joined the cluster (scripts and tests wait for it).</summary>
    public const string ReadyLine = "silo ready";

    public static Command Create()
    {
        var devices = new Option<string?>("--devices")
        {
            Description = "One silo process per GPU: all, or CUDA device indices such as 0,1 (each sees only its device; ports are the ATLAS_* ones plus its position)",
        };
        var command = new Command("silo", "Run a worker silo (settings from ATLAS_* environment variables; see the README)") { devices };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            var chosen = parse.GetValue(devices) is { } list ? DeviceList.Parse(list) : null;
            // Named devices are started even where they do not exist: a silo without its GPU computes on the CPU
            // (which is also how the mechanics are tried on a machine without one), but it should not pass unsaid.
            if (chosen is not null && DeviceList.CudaDeviceCount() is var found && chosen.Where(d => d >= found).ToList() is { Count: > 0 } absent)
                logger.Warning("--devices: this machine has {Count} CUDA device(s), so the silo(s) of device(s) {Absent} compute on the CPU",
                    found, string.Join(',', absent));
            var settings = ClusterSettings.FromEnvironment();
            // First of all: a silo started on a taken port would bind it anyway (Orleans reuses addresses) and end the
            // silo already there. `--devices` checks every child's ports here, and each child checks its own again.
            for (int position = 0; position < (chosen?.Count ?? 1); position++) SiloPorts.EnsureFree(settings, chosen is null ? null : position);
            await ClusterStorage.EnsureReachableAsync(settings, cancellationToken);
            Pipeline.OutputPaths.EnsureCanBeFolder(Grains.Watchers.CheckpointCache.Root, Grains.Watchers.CheckpointCache.RootVariable);
            if (chosen is not null)
                return await new DeviceSilos(chosen, settings, ["--verbosity", parse.GetValue(AtlasCli.VerbosityOption)!], logger).RunAsync(cancellationToken);
            using var host = ClusterSilo.Build(settings, logger);
            await host.StartAsync(cancellationToken);
            Core.TorchRuntime.Initialize(); // done by the workers already; the line below names their device
            logger.Information("Silo of cluster {ClusterId} listening on {Address}:{SiloPort} (gateway {GatewayPort}) with {Workers} worker(s) on the {Device}",
                settings.ClusterId, settings.AdvertisedAddress, settings.SiloPort, settings.GatewayPort,
                settings.Workers ?? Grains.Workers.WorkerOptions.DefaultFor(Core.TorchRuntime.Device), Core.TorchRuntime.DeviceTypeName);
            System.Console.WriteLine(ReadyLine);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                logger.Information("Stopping silo");
            }
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stop.Token);
            return ExitCodes.Success;
        }));
        return command;
    }
}
