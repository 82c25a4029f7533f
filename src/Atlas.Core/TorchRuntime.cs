using TorchSharp;

namespace Atlas.Core;

/// <summary>
/// One place that initializes TorchSharp for this process: thread count and the device to use.
/// The first touch of <c>torch</c> loads the native library, so a broken install fails here with a
/// clear message instead of deep inside a worker.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool initialized;

    public static torch.Device Device { get; private set; } = torch.CPU;

    public static void Initialize(int? threads = null)
    {
        lock (Gate)
        {
            if (initialized) return;
            try
            {
                torch.set_num_threads(threads ?? Math.Max(1, Environment.ProcessorCount));
            }
            catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException)
            {
                throw new AtlasInputException($"TorchSharp's native library could not be loaded: {e.GetBaseException().Message}", e);
            }
            initialized = true;
        }
    }
}
