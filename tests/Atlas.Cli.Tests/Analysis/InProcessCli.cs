using Atlas.Core;
using Atlas.Core.Data;
using Atlas.Core.Imaging;
using Atlas.Core.Models;

namespace Atlas.Cli.Tests.Analysis;

/// <summary>Runs `atlas` verbs in this process with standard output and error captured (tests here run one at a time).</summary>
internal static class InProcessCli
{
    public sealed record Outcome(int ExitCode, string StdOut, string StdErr)
    {
        public IReadOnlyList<string> ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

    private static readonly SemaphoreSlim Console = new(1, 1);

    public static async Task<Outcome> RunAsync(params string[] args)
    {
        await Console.WaitAsync();
        var (stdout, stderr) = (System.Console.Out, System.Console.Error);
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            System.Console.SetOut(output);
            System.Console.SetError(error);
            int code = await AtlasCli.RunAsync(args);
            return new Outcome(code, output.ToString(), error.ToString());
        }
        finally
        {
            System.Console.SetOut(stdout);
            System.Console.SetError(stderr);
            Console.Release();
        }
    }

    /// <summary>A demo CNN with random weights saved as a checkpoint: enough for the verbs, no training needed.</summary>
    public static string RandomDemoCheckpoint(string folder)
    {
        TorchRuntime.Initialize();
        TorchSharp.torch.random.manual_seed(21);
        var path = Path.Combine(folder, "random-demo.pt");
        using var network = new DemoCnn();
        network.save(path);
        return path;
    }

    public static string WriteImage(string folder, string name, int channels, int height, int width, Func<int, float> pixel)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, PngEncoder.Encode(Enumerable.Range(0, channels * height * width).Select(pixel).ToArray(), channels, height, width));
        return path;
    }

    /// <summary>A grayscale 28×28 test-like picture: a bright blob off centre.</summary>
    public static string WriteGrayImage(string folder) =>
        WriteImage(folder, "blob.png", 1, 28, 28, i => MathF.Exp(-(MathF.Pow(i / 28 - 10, 2) + MathF.Pow(i % 28 - 17, 2)) / 30f));

    public static IReadOnlyList<string> DemoClasses => FashionMnist.ClassNames;
}
