using System.Runtime.InteropServices;

namespace Atlas.Core;

/// <summary>
/// Turns on cuDNN's autotuner (PyTorch's <c>torch.backends.cudnn.benchmark = True</c>), which TorchSharp
/// does not expose: at::globalContext().setBenchmarkCuDNN(true), called through libtorch's exported C++
/// symbols. Feature visualization repeats the same convolution shapes for hundreds of steps, so timing the
/// algorithms once per shape pays back many times. Failure to find the symbols leaves the default.
/// </summary>
internal static class CudnnAutotuning
{
    private delegate IntPtr GlobalContext();
    private delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);

    // Itanium C++ ABI names: at::globalContext() and at::Context::setBenchmarkCuDNN(bool).
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetBenchmarkSymbol = "_ZN2at7Context17setBenchmarkCuDNNEb";

    public static bool TryEnable(IEnumerable<string> loadedLibraries)
    {
        foreach (var path in loadedLibraries.Where(p => Path.GetFileName(p) == "libtorch_cpu.so"))
        {
            if (!NativeLibrary.TryLoad(path, out var library)) continue;
            if (!NativeLibrary.TryGetExport(library, GlobalContextSymbol, out var context) ||
                !NativeLibrary.TryGetExport(library, SetBenchmarkSymbol, out var setBenchmark)) continue;
            var instance = Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)();
            Marshal.GetDelegateForFunctionPointer<SetFlag>(setBenchmark)(instance, true);
            return true;
        }
        return false;
    }
}
