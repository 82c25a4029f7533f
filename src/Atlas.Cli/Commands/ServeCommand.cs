using System.CommandLine;
using System.Runtime.InteropServices;
using Atlas.Site.Serving;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>`atlas serve DIR [--port N]`: preview a generated site on http://127.0.0.1 until Ctrl+C.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("dir") { Description = "A site folder written by `atlas publish --out`" };
        var port = new Option<int>("--port", "-p") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 8000 };
        var command = new Command("serve", "Preview a generated site on http://127.0.0.1 (loopback only); Ctrl+C stops it") { folder, port };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            await using var server = StaticSiteServer.Start(parse.GetValue(folder)!.FullName, parse.GetValue(port));
            // Standard output says it (as the one line the verb must print, at every verbosity); at the normal level the
            // log said it again just above.
            logger.Debug("Serving {Folder} on {Url}", parse.GetValue(folder)!.FullName, server.Url);
            AnsiConsole.MarkupLineInterpolated($"Serving [bold]{parse.GetValue(folder)!.FullName}[/] at [link]{server.Url}[/] (loopback only). Press Ctrl+C to stop.");
            // Ctrl+C (SIGINT) and SIGTERM are how a preview ends: a normal stop, not a cancelled job. The
            // handlers keep the runtime from killing the process, so the listener is closed properly.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            AnsiConsole.WriteLine("Stopped.");
            return ExitCodes.Success;

            void Stop(PosixSignalContext signal)
            {
                signal.Cancel = true;
                stop.Cancel();
            }
        }));
        return command;
    }
}
