using System.Net;
using System.Net.Sockets;
using Atlas.Site.Publishing;

namespace Atlas.Site.Serving;

/// <summary>
/// A minimal static file server for previewing a generated site: loopback only (127.0.0.1), GET and
/// HEAD, a folder's index.html for the folder, no file outside the site folder and no dot-file
/// (".." segments are refused, and every resolved path is checked to lie inside the root).
/// HttpListener is enough for a preview and needs no web framework in the app.
/// </summary>
public sealed class StaticSiteServer : IAsyncDisposable
{
    private readonly string _root;
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private StaticSiteServer(string root, int port)
    {
        _root = root;
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>Starts serving <paramref name="folder"/>; port 0 picks a free port.</summary>
    public static StaticSiteServer Start(string folder, int port = 0)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (File.Exists(root)) throw new ArgumentException($"'{root}' is a file; give the site folder that holds index.html");
        if (!Directory.Exists(root)) throw new ArgumentException($"site folder '{root}' does not exist");
        if (!File.Exists(Path.Combine(root, "index.html"))) throw new ArgumentException($"site folder '{root}' has no index.html; generate it with `atlas publish` first");
        if (port is < 0 or > 65535) throw new ArgumentException($"port {port} is not between 0 and 65535");
        var server = new StaticSiteServer(root, port == 0 ? FreePort() : port);
        try
        {
            server._listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new ArgumentException($"cannot listen on 127.0.0.1:{server.Port} ({e.Message}); choose another --port", e);
        }
        server._loop = server.LoopAsync();
        return server;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var method = context.Request.HttpMethod;
            if (method is not ("GET" or "HEAD"))
            {
                response.AddHeader("Allow", "GET, HEAD");
                await PlainAsync(response, 405, "method not allowed", method == "HEAD");
                return;
            }
            var file = Resolve(context.Request.Url!.AbsolutePath, out var redirect);
            if (redirect is not null)
            {
                response.Redirect(redirect);
                response.Close();
                return;
            }
            if (file is null)
            {
                await PlainAsync(response, 404, "not found", method == "HEAD");
                return;
            }
            var bytes = await File.ReadAllBytesAsync(file);
            response.StatusCode = 200;
            response.ContentType = ContentTypes.For(file);
            response.AddHeader("Cache-Control", ContentTypes.RevalidateAlways);
            response.AddHeader("X-Content-Type-Options", "nosniff");
            response.ContentLength64 = bytes.Length;
            if (method == "GET") await response.OutputStream.WriteAsync(bytes);
            response.Close();
        }
        catch (Exception e) when (e is IOException or HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away mid-response; nothing to tell it.
            try { response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>The file a URL path names inside the root, or null; a folder without a trailing slash gets a redirect.</summary>
    internal string? Resolve(string urlPath, out string? redirect)
    {
        redirect = null;
        string decoded;
        try { decoded = Uri.UnescapeDataString(urlPath); }
        catch (UriFormatException) { return null; }
        var segments = decoded.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s.StartsWith('.') || s.Contains('\\') || s.Contains('\0') || s.Contains(':'))) return null;
        var full = Path.GetFullPath(Path.Combine([_root, .. segments]));
        if (full != _root && !full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
        if (Directory.Exists(full))
        {
            if (!urlPath.EndsWith('/'))
            {
                // One leading slash: "//host/" would be a link to another site (an atlas may be named "evil.com").
                redirect = "/" + urlPath.TrimStart('/') + "/";
                return null;
            }
            full = Path.Combine(full, "index.html");
        }
        return File.Exists(full) && !PassesThroughLink(Path.GetRelativePath(_root, full).Split(Path.DirectorySeparatorChar)) ? full : null;
    }

    /// <summary>
    /// Whether a path below the root goes through a symbolic link. Publishing writes none, and one would lead out of
    /// the site folder (a link to /etc/passwd inside it served the file), so such a path is not served.
    /// </summary>
    private bool PassesThroughLink(IEnumerable<string> segments)
    {
        var at = _root;
        foreach (var segment in segments)
        {
            at = Path.Combine(at, segment);
            if (new FileInfo(at).LinkTarget is not null) return true;
        }
        return false;
    }

    private static async Task PlainAsync(HttpListenerResponse response, int status, string text, bool head)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength64 = bytes.Length;
        if (!head) await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { _listener.Stop(); } catch (ObjectDisposedException) { }
        if (_loop is not null) await _loop;
        _listener.Close();
        _stop.Dispose();
    }
}
