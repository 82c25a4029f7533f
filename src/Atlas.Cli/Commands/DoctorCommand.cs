using System.CommandLine;
using System.Reflection;
using Atlas.Core;
using Spectre.Console;
using TorchSharp;

namespace Atlas.Cli.Commands;

/// <summary>`atlas doctor`: what this machine gives the atlas — libtorch, device, threads, memory, versions.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", $"Report the torch backend, device, threads and native library versions (set {TorchRuntime.LibTorchFolderVariable} to use a PyTorch install's libtorch)");
        command.SetAction(AtlasCli.Guarded((_, _, _) =>
        {
            TorchRuntime.Initialize();
            var table = new Table().AddColumns("what", "found");
            void Row(string what, string found) => table.AddRow(Markup.Escape(what), Markup.Escape(found));

            Row("backend", TorchRuntime.LibTorchFolder is null ? "packaged libtorch (TorchSharp-cpu)" : $"{TorchRuntime.LibTorchFolderVariable}={TorchRuntime.LibTorchFolder}");
            foreach (var library in TorchRuntime.LoadedLibraries) Row("  loaded", library);
            Row("device", TorchRuntime.Device.ToString());
            bool cuda = TorchRuntime.Device.type == DeviceType.CUDA;
            Row("cuda devices", cuda ? $"{torch.cuda.device_count()}" : "none");
            if (cuda)
            {
                Row("device name", CudaDevice.Name() ?? "unknown (libcuda.so.1 did not answer)");
                Row("device memory", CudaDevice.Memory() is { } memory
                    ? $"{memory.Free / (1024.0 * 1024 * 1024):F1} GiB free of {memory.Total / (1024.0 * 1024 * 1024):F1} GiB"
                    : "unknown (no CUDA runtime library answered)");
                Row("cuDNN autotuning", TorchRuntime.CudnnAutotuned ? "on" : $"off (set {TorchRuntime.CudnnBenchmarkVariable}=1 to turn it on)");
            }
            Row("rendering network (auto)", Core.Models.WorkingCopyDefaults.Rendering(TorchRuntime.Device));
            Row("dataset pass network (auto)", Core.Models.WorkingCopyDefaults.DatasetPass(TorchRuntime.Device));
            Row("feature-vis work unit (auto)", $"{Core.Rendering.FeatureVisSettings.ChannelsPerUnit(new(), TorchRuntime.Device.type)} channels, for jobs planned here (featureVis.channelsPerUnit unset)");
            Row("TorchScript models", Core.Models.TorchScript.TorchScriptExecutor.SwitchFound
                ? "run op by op (libtorch's graph-optimizer switch found)"
                : "graph-optimizer switch not found in this libtorch: Grad-CAM of a TorchScript model may find no layer gradients");
            Row("torch threads", $"{torch.get_num_threads()}");
            Row("CPU bfloat16", CpuFeatures.NativeBfloat16() is { } bf16
                ? $"native ({bf16}): featureVis.precision bfloat16 renders large models faster on this CPU"
                : "emulated: keep float32 on this CPU");
            Row("processors", $"{Environment.ProcessorCount}");
            Row("memory available to .NET", $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB");
            Row("TorchSharp", typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?");
            Row("libtorch", torch.__version__);
            Row("native library", NativeLibraryPath() ?? "not found beside the program");
            Row(".NET", Environment.Version.ToString());
            AnsiConsole.Write(table);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static string? NativeLibraryPath() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).FirstOrDefault();
}
