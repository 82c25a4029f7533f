namespace Atlas.Storage;

/// <summary>
/// A write the store refused for lack of room: the disk under a folder store is full, or its quota is used
/// up. Unlike a unit's own failure this fails every later write as well, so a job stops at the first one
/// instead of computing each remaining unit, several times over, only to fail to store it. What is stored
/// already stays, and running the job again resumes from it once there is room.
/// </summary>
public sealed class StoreFullException(string message, Exception inner) : IOException(message, inner)
{
    /// <summary>
    /// Whether <paramref name="e"/> is the file system saying there is no room. On Unix .NET keeps the
    /// errno as the HResult (ENOSPC is 28 everywhere; EDQUOT is 122 on Linux, 69 on macOS); on Windows
    /// it is HRESULT_FROM_WIN32 of ERROR_HANDLE_DISK_FULL (39) or ERROR_DISK_FULL (112).
    /// </summary>
    public static bool IsOutOfSpace(Exception e) => e is IOException io && (OperatingSystem.IsWindows()
        ? (uint)io.HResult is 0x80070027 or 0x80070070
        : io.HResult == 28 || io.HResult == (OperatingSystem.IsMacOS() ? 69 : 122));

    /// <summary>The <see cref="StoreFullException"/> in <paramref name="e"/> or its inner exceptions, if any.</summary>
    public static StoreFullException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is StoreFullException full) return full;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find).FirstOrDefault(f => f is not null) is { } inner) return inner;
        }
        return null;
    }
}
