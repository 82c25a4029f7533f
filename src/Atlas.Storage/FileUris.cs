namespace Atlas.Storage;

/// <summary>
/// The local folder a <c>file://</c> address names. RFC 8089 allows the host to be empty
/// (<c>file:///folder</c>) or <c>localhost</c>, both meaning this machine; .NET reads the latter as a
/// network share (<c>//localhost/folder</c>), which on Linux became a folder named "localhost" under the
/// working directory. Any other host is a machine this process cannot write to as a folder.
/// </summary>
public static class FileUris
{
    public static bool IsFileUri(string location) => location.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="ArgumentException">Not a file address this machine can use; the message quotes it.</exception>
    public static string LocalPath(string location)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || !uri.IsFile)
            throw new ArgumentException($"'{location}' is not a valid file:/// address");
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new ArgumentException($"'{location}' has a query or fragment; a file:/// address names only a folder (write '#' as %23, '?' as %3F)");
        if (uri.Host.Length > 0 && !uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{location}' names the host '{uri.Host}'; only this machine's folders can be used (file:///folder or file://localhost/folder)");
        return Path.GetFullPath(Uri.UnescapeDataString(uri.AbsolutePath));
    }
}
