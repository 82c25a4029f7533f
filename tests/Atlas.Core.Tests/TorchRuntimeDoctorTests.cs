namespace Atlas.Core.Tests;

public class TorchRuntimeDoctorTests
{
    [Fact]
    public void The_packaged_cpu_libtorch_is_used_when_no_folder_is_named()
    {
        TorchRuntime.Initialize();
        Assert.Null(Environment.GetEnvironmentVariable(TorchRuntime.LibTorchFolderVariable));
        Assert.Null(TorchRuntime.LibTorchFolder);
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchRuntime.Device.type);
    }
}
