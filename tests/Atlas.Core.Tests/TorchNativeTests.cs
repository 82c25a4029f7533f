using Atlas.Core;
using static TorchSharp.torch;

namespace Atlas.Core.Tests;

public class TorchNativeTests
{
    [Fact]
    public void Native_library_loads_and_a_tensor_op_runs()
    {
        TorchRuntime.Initialize();
        using var a = tensor(new float[] { 1, 2, 3, 4 }).view(2, 2);
        using var product = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
    }
}
