namespace Atlas.Storage.Tests;

/// <summary>What counts as "no room": the file system's own error (Linux's /dev/full answers every write with it), nothing else.</summary>
public sealed class StoreFullExceptionTests
{
    [Fact]
    public void A_write_the_file_system_refuses_for_lack_of_space_is_out_of_space()
    {
        Assert.True(OperatingSystem.IsLinux(), "/dev/full is Linux's");
        var refused = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            full.Write(new byte[4096]);
            full.Flush();
        });
        Assert.True(StoreFullException.IsOutOfSpace(refused), $"{refused.GetType().Name} (HResult {refused.HResult}): {refused.Message}");
    }

    [Fact]
    public void Other_io_errors_are_not()
    {
        var missing = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "absent")));
        Assert.False(StoreFullException.IsOutOfSpace(missing));
        Assert.False(StoreFullException.IsOutOfSpace(new IOException("disk full, says the message only")));
    }

    [Fact]
    public void It_is_found_inside_the_exceptions_that_wrap_it()
    {
        var full = new StoreFullException("the store folder /x is out of space", new IOException("No space left on device", 28));
        Assert.Same(full, StoreFullException.Find(new InvalidOperationException("unit failed", full)));
        Assert.Same(full, StoreFullException.Find(new AggregateException(new TimeoutException(), full)));
        Assert.Null(StoreFullException.Find(new InvalidOperationException("unit failed", new IOException("other"))));
    }
}
