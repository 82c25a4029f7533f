using System.CommandLine;
using Atlas.Cli.Commands;
using Atlas.Cli.Console;
using Atlas.Core;
using Serilog;

namespace Atlas.Cli;

/// <summary>
/// The `atlas` command line: verbs, the shared --verbosity option, and one place that turns failures
/// into exit codes — a one-line message for bad input, a stack trace only when asked for.
/// </summary>
public static class AtlasCli
{
    public static readonly Option<string> VerbosityOption = new("--verbosity", "-v")
    {
        Description = "Log detail: q[uiet], m[inimal], n[ormal], d[etailed] (or debug), diag[nostic]",
        DefaultValueFactory = _ => "normal",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        OutputWidth.Fit(Spectre.Console.AnsiConsole.Console);
        var root = new RootCommand("Circuit Atlas: feature visualizations, dataset examples and a static site for every unit of a CNN.");
        root.Options.Add(VerbosityOption);
        // A usage error like any other option's, so it gets their "(see: atlas <verb> --help)" too.
        if (VerbosityOption.Validators.Count == 0)
            VerbosityOption.Validators.Add(result =>
            {
                try
                {
                    Verbosity.Parse(result.GetValueOrDefault<string>());
                }
                catch (AtlasInputException e)
                {
                    result.AddError(e.Message);
                }
            });
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(PublishCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(SiloCommand.Create());
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(Commands.Bench.BenchCommand.Create());
        root.Subcommands.Add(ActivationsCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        // Ctrl+C and SIGTERM cancel the verb's token; a silo then has time to hand its work back.
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Usage errors are bad input like any other: one line, exit code 2 (System.CommandLine's default is 1 plus the whole help).
            // "Unrecognized command or argument 'frob'" says more than the "required command" error it causes.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            var verb = string.Join(' ', CommandPath(parse.CommandResult).Prepend("atlas"));
            await System.Console.Error.WriteLineAsync($"error: {ParseErrorWording.Plain(error.Message)} (see: {verb} --help)");
            return ExitCodes.BadInput;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(40) });
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var current = result; current.Parent is System.CommandLine.Parsing.CommandResult parent; current = parent) names.Push(current.Command.Name);
        return names;
    }

    /// <summary>Wraps a verb's body with logging set-up and the error policy.</summary>
    /// <param name="warningsOnlyFrom">Log categories whose information lines the verb tells itself (see <see cref="Logging.Create"/>).</param>
    public static Func<ParseResult, CancellationToken, Task<int>> Guarded(Func<ParseResult, ILogger, CancellationToken, Task<int>> body,
        IReadOnlyList<string>? warningsOnlyFrom = null) =>
        async (parse, cancellationToken) =>
        {
            // System.CommandLine hands Ctrl+C and SIGTERM to the token only once the action has returned its task: a
            // verb that worked synchronously first (a bench pass, a run's preparation) went without, and the runtime
            // ended it at once (exit 143 for SIGTERM, its temporary files left). Yielding returns the task first.
            await Task.Yield();
            Serilog.Events.LogEventLevel level;
            try
            {
                level = Verbosity.Parse(parse.GetValue(VerbosityOption));
            }
            catch (AtlasInputException e)
            {
                await System.Console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
            var logger = Logging.Create(level, warningsOnlyFrom);
            try
            {
                return await body(parse, logger, cancellationToken);
            }
            // Whatever an interrupt makes fail on its way out (a silo cancelled while it starts throws its own
            // exceptions, not an OperationCanceledException) is the interrupt's doing.
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                await System.Console.Error.WriteLineAsync("cancelled");
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (IsInputError(e))
            {
                // A store that stopped answering part-way is said as the store's own line, whatever wrapped it on the way up;
                // a folder this process may not write to, as .NET's line that names it (its base exception says only "Permission denied").
                var message = OneLine(Storage.StoreUnreachableException.Find(e)?.Message ?? Denied(e)?.Message ?? e.Message);
                await System.Console.Error.WriteLineAsync($"error: {ConfigFieldErrors.WithConfigFile(parse, message)}");
                if (Verbosity.ShowsStackTraces(level)) await System.Console.Error.WriteLineAsync(e.ToString());
                return ExitCodes.BadInput;
            }
            catch (Exception e)
            {
                await System.Console.Error.WriteLineAsync($"error: {OneLine(e.GetBaseException().Message)}");
                await System.Console.Error.WriteLineAsync(Verbosity.ShowsStackTraces(level) ? e.ToString() : "(run with --verbosity debug for details)");
                return ExitCodes.InternalError;
            }
            finally
            {
                await ((IAsyncDisposable)logger).DisposeAsync();
            }
        };

    /// <summary>The user's to fix (exit 2): bad input, and a store that does not answer (the start's check says the same of one down then).</summary>
    private static bool IsInputError(Exception e) =>
        e is AtlasInputException or ArgumentException or Site.SiteGenerationException or Storage.CorruptArtifactException ||
        Storage.StoreUnreachableException.Find(e) is not null || Denied(e) is not null;

    /// <summary>The refusal of a file or folder this process may not write (the user's to fix: exit 2), wherever it is in the chain.</summary>
    private static UnauthorizedAccessException? Denied(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is UnauthorizedAccessException denied) return denied;
        return null;
    }

    private static string OneLine(string message) => message.Split('\n')[0].Trim();
}
