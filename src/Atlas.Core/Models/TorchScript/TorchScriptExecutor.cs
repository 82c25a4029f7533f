using System.Runtime.InteropServices;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// Turns off libtorch's TorchScript graph optimizer on the threads that run TorchScript modules. After a module's first run with gradients,
/// the optimizer regroups its forward into differentiable subgraphs whose intermediate results are no longer the
/// tensors the forward returned: ∂logits/∂(a returned layer) then comes back empty from the second call on (seen
/// with the tiny-cnn fixture: Grad-CAM worked once, then never). Without it a module runs op by op, as PyTorch's eager
/// mode does, which is what the atlas's analyses assume; convolutions dominate a CNN's time either way. TorchSharp has
/// no API for it, so libtorch's own <c>torch::jit::setGraphExecutorOptimize(bool)</c> is called by its (Itanium ABI)
/// symbol; where the symbol is not found (Windows, another libtorch), nothing changes and Grad-CAM of such a model
/// reports that its layer is not read by the logits.
/// </summary>
public static class TorchScriptExecutor
{
    private const string SetOptimizeSymbol = "_ZN5torch3jit24setGraphExecutorOptimizeEb";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetOptimize([MarshalAs(UnmanagedType.U1)] bool optimize);

    private static readonly Lazy<SetOptimize?> Setter = new(FindSetter);

    // libtorch keeps the setting per thread (a thread_local), and plans a module's run on the thread that runs it.
    [ThreadStatic] private static bool offOnThisThread;

    /// <summary>Whether this libtorch exports the switch (`atlas doctor` reports it).</summary>
    public static bool SwitchFound => Setter.Value is not null;

    /// <summary>
    /// Turns the optimizer off on the calling thread, once per thread; call before running a module. Returns whether it
    /// is off (false where libtorch's symbol was not found).
    /// </summary>
    public static bool EnsureUnoptimized()
    {
        if (offOnThisThread) return true;
        if (Setter.Value is not { } set) return false;
        set(false);
        return offOnThisThread = true;
    }

    private static SetOptimize? FindSetter()
    {
        // TorchSharp has loaded libtorch by now, so this finds the library already in the process.
        foreach (var library in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib" })
        {
            if (NativeLibrary.TryLoad(library, out var handle) && NativeLibrary.TryGetExport(handle, SetOptimizeSymbol, out var address))
                return Marshal.GetDelegateForFunctionPointer<SetOptimize>(address);
        }
        return null;
    }
}
