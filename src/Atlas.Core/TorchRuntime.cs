using System.Runtime.InteropServices;
using TorchSharp;

namespace Atlas.Core;

/// <summary>
/// One place that initializes TorchSharp for this process: which libtorch, which device, how many
/// threads. The first touch of <c>torch</c> loads the native library, so a broken install fails here
/// with a clear message instead of deep inside a worker.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Names a folder of libtorch libraries (e.g. an existing PyTorch install's torch/lib) to use instead of the packaged CPU build.</summary>
    public const string LibTorchFolderVariable = "ATLAS_LIBTORCH_DIR";

    // The order that resolves each library's dependencies by name before it is needed (design.md).
    private static readonly string[] LibTorchLibraries = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    private static readonly object Gate = new();
    private static bool initialized;

    public static torch.Device Device { get; private set; } = torch.CPU;

    /// <summary>The device type as torch writes it, "cpu" or "cuda": what a silo tells the cluster it computes on.</summary>
    public static string DeviceTypeName => Device.type.ToString().ToLowerInvariant();

    /// <summary>The libtorch folder in use, or null for the packaged library.</summary>
    public static string? LibTorchFolder { get; private set; }

    /// <summary>
    /// "1" turns on cuDNN's autotuner. Off by default: on an H200 it cost more in tuning every new batch
    /// shape than it gained in GoogLeNet's steps (bench/RESULTS.md).
    /// </summary>
    public const string CudnnBenchmarkVariable = "ATLAS_CUDNN_BENCHMARK";

    /// <summary>
    /// How many threads torch computes with on the CPU (1 to 1024; default the core count). Several CPU silos on one
    /// machine each take every core otherwise, and their threads then fight over them.
    /// </summary>
    public const string ThreadsVariable = "ATLAS_TORCH_THREADS";

    /// <summary>Whether cuDNN's autotuner was switched on (CUDA only; see <see cref="CudnnAutotuning"/>).</summary>
    public static bool CudnnAutotuned { get; private set; }

    /// <summary>Libraries loaded from <see cref="LibTorchFolder"/>, in load order.</summary>
    public static IReadOnlyList<string> LoadedLibraries { get; private set; } = [];

    private static int? ThreadsFromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(ThreadsVariable) is not { Length: > 0 } text) return null;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1024
            ? n
            : throw new AtlasInputException($"{ThreadsVariable}: '{text}' is not a whole number of threads from 1 to 1024");
    }

    public static void Initialize(int? threads = null)
    {
        lock (Gate)
        {
            if (initialized) return;
            // Anything but 1 used to mean off without a word ("yes", "true").
            if (Environment.GetEnvironmentVariable(CudnnBenchmarkVariable) is { Length: > 0 } autotune && autotune is not ("0" or "1"))
                throw new AtlasInputException($"{CudnnBenchmarkVariable}: '{autotune}' is not 1 (autotune cuDNN's convolutions) or 0");
            LibTorchFolder = Environment.GetEnvironmentVariable(LibTorchFolderVariable) is { Length: > 0 } folder ? Path.GetFullPath(folder) : null;
            if (LibTorchFolder is not null) LoadedLibraries = PreloadLibTorch(LibTorchFolder);
            try
            {
                torch.set_num_threads(threads ?? ThreadsFromEnvironment() ?? Math.Max(1, Environment.ProcessorCount));
                if (LoadedLibraries.Any(l => l.Contains("cuda", StringComparison.Ordinal)))
                {
                    torch.InitializeDeviceType(DeviceType.CUDA);
                    if (torch.cuda.is_available())
                    {
                        Device = torch.CUDA;
                        if (Environment.GetEnvironmentVariable(CudnnBenchmarkVariable) == "1")
                            CudnnAutotuned = CudnnAutotuning.TryEnable(LoadedLibraries);
                    }
                }
            }
            catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException or InvalidOperationException)
            {
                var source = LibTorchFolder is null ? "the packaged libtorch" : $"{LibTorchFolderVariable}={LibTorchFolder}";
                throw new AtlasInputException($"TorchSharp's native library could not be loaded with {source}: {e.GetBaseException().Message.Split('\n')[0]}", e);
            }
            initialized = true;
        }
    }

    private static IReadOnlyList<string> PreloadLibTorch(string folder)
    {
        if (!Directory.Exists(folder)) throw new AtlasInputException($"{LibTorchFolderVariable}: folder '{folder}' not found");
        var loaded = new List<string>();
        foreach (var name in LibTorchLibraries)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                if (name.Contains("cuda", StringComparison.Ordinal)) continue; // a CPU-only PyTorch install
                throw new AtlasInputException($"{LibTorchFolderVariable}: '{path}' not found; the folder should be a PyTorch install's torch/lib");
            }
            try
            {
                NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw new AtlasInputException($"{LibTorchFolderVariable}: '{path}' could not be loaded ({e.Message.Split('\n')[0]}); is the folder also on LD_LIBRARY_PATH?", e);
            }
            loaded.Add(path);
        }
        return loaded;
    }
}
