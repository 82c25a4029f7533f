namespace Atlas.Site.Output;

/// <summary>
/// One generation at a time stages and replaces a given output folder: two that overlapped (an `atlas watch`
/// republishing while `atlas publish` runs, two runs of one config) would each move the other's site away. The lock
/// is an exclusive lock on a file beside the output (<c>.{name}.lock</c>), which the kernel releases when its holder
/// exits, even by kill -9; so whoever holds it knows that any staging folder left beside the output is a leftover.
/// </summary>
internal sealed class PublishLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private readonly FileStream _handle;

    private PublishLock(FileStream handle) => _handle = handle;

    /// <summary>Takes the lock of <paramref name="output"/>, waiting (and saying so once) while another generation holds it.</summary>
    public static async Task<PublishLock> AcquireAsync(string output, Action<string>? waiting, CancellationToken ct)
    {
        var parent = Path.GetDirectoryName(output)!;
        Directory.CreateDirectory(parent);
        var path = Path.Combine(parent, $".{Path.GetFileName(output)}.lock");
        var told = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix (a sharing lock on Windows).
                return new PublishLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                if (!told) waiting?.Invoke($"Waiting for another publish into {output} to finish");
                told = true;
                await Task.Delay(Poll, ct);
            }
        }
    }

    // EWOULDBLOCK (Linux 11, macOS 35) from flock, or Windows' sharing violation; any other failure is the caller's to see.
    private static bool IsHeldElsewhere(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020);

    public void Dispose() => _handle.Dispose();
}
