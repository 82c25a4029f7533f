using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace Atlas.Storage.Tests;

/// <summary>
/// A blob store that stops answering, through a gate in front of the real Azurite that refuses connections while
/// closed: the resilient store says so once, however many calls wait, says when it answers again, and gives up on a
/// call after its patience with one line naming the store and the cause.
/// </summary>
public sealed class StorageOutageTests : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly AzuriteFixture azurite;
    private readonly TcpGate gate;
    private readonly LogLines log;

    public StorageOutageTests(AzuriteFixture azurite)
    {
        this.azurite = azurite;
        var target = new Uri(AzuriteFixture.BlobEndpoint);
        gate = new TcpGate(target.Host, target.Port);
        log = new LogLines(() => gate.Refused);
    }

    public async ValueTask DisposeAsync() => await gate.DisposeAsync();

    /// <summary>
    /// The fixture's container through the gate, with the Azure client's own retries off so each attempt fails at once
    /// (or, given <paramref name="clientTries"/>, that many tries a second apart inside each attempt).
    /// </summary>
    private ResilientArtifactStore Store(TimeSpan patience, int clientTries = 1)
    {
        var endpoint = new UriBuilder(AzuriteFixture.BlobEndpoint) { Port = gate.Port }.Uri.ToString().TrimEnd('/');
        var options = AzureBlobArtifactStore.CreateClientOptions();
        options.Retry.MaxRetries = clientTries - 1;
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        var connection = AzuriteFixture.ConnectionString.Replace(AzuriteFixture.BlobEndpoint, endpoint, StringComparison.Ordinal);
        var container = new BlobServiceClient(connection, options).GetBlobContainerClient(azurite.ContainerName);
        return new ResilientArtifactStore(new AzureBlobArtifactStore(container), patience, log);
    }

    [Fact]
    public async Task An_outage_is_said_once_when_it_begins_and_once_when_it_ends_and_the_waiting_calls_succeed()
    {
        var store = Store(TimeSpan.FromMinutes(2));
        await store.PutAsync("outage/a.txt", "a"u8.ToArray(), "text/plain");   // the gate starts open
        gate.Close();

        var waiting = Enumerable.Range(0, 4).Select(_ => store.GetAsync("outage/a.txt")).ToList();
        await log.WaitForAsync(LogLevel.Warning, TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(2));   // every call has failed and is retrying by now
        gate.Open();

        foreach (var call in waiting) Assert.Equal("a"u8.ToArray(), await call);
        var warning = Assert.Single(log.Lines, l => l.Level == LogLevel.Warning);
        Assert.StartsWith($"{store.Description} does not answer (", warning.Text);
        Assert.EndsWith("); each call to it is retried for up to 120 s", warning.Text);
        var recovered = Assert.Single(log.Lines, l => l.Level == LogLevel.Information);
        Assert.StartsWith($"{store.Description} answers again, after ", recovered.Text);
    }

    [Fact]
    public async Task A_call_that_outlasts_its_patience_fails_with_one_line_naming_the_store_and_the_cause()
    {
        var store = Store(TimeSpan.FromSeconds(3));
        gate.Close();

        var error = await Assert.ThrowsAsync<StoreUnreachableException>(() => store.ExistsAsync("outage/b.txt"));

        Assert.Matches(@$"^{System.Text.RegularExpressions.Regex.Escape(store.Description)} did not answer for \d+ s \(.*Connection refused.*\)$", error.Message);
        Assert.DoesNotContain("\n", error.Message);
        Assert.DoesNotContain("Retry failed", error.Message);
        Assert.Same(error, StoreUnreachableException.Find(new AggregateException(new InvalidOperationException("wrapped", error))));
    }

    [Fact]
    public async Task Retries_stop_at_the_patience_however_long_each_attempt_takes()
    {
        // Each attempt is the Azure client's three tries a second apart, so it lasts at least 2 s: with 3 s of patience
        // the store makes two attempts (perhaps three), not the five a count sized for instant attempts would make.
        var store = Store(TimeSpan.FromSeconds(3), clientTries: 3);
        gate.Busy();

        await Assert.ThrowsAsync<StoreUnreachableException>(() => store.ExistsAsync("outage/c.txt"));

        Assert.InRange(gate.Refused, 3, 9);
    }

    [Fact]
    public async Task A_store_opened_for_its_own_retries_says_an_outage_after_the_clients_two_tries_not_its_six()
    {
        // The location a user gives, its connection string pointing through the gate.
        var endpoint = new UriBuilder(AzuriteFixture.BlobEndpoint) { Port = gate.Port }.Uri.ToString().TrimEnd('/');
        var connection = AzuriteFixture.ConnectionString.Replace(AzuriteFixture.BlobEndpoint, endpoint, StringComparison.Ordinal);
        var store = ArtifactStores.OpenResilient($"azure-blob://{azurite.ContainerName}?connection=GATED", log,
            name => name == "GATED" ? connection : null, patience: TimeSpan.FromMinutes(1));
        gate.Busy();

        var call = store.ExistsAsync("outage/d.txt");
        await log.WaitForAsync(LogLevel.Warning, TimeSpan.FromMinutes(1));

        // The warning follows the first attempt's tries: the client's own two, where its defaults make six (about 25 s).
        // Counted as the warning is written: by the time this test looks, the next attempt (250 ms later) may have begun.
        var warning = Assert.Single(log.Lines, l => l.Level == LogLevel.Warning);
        Assert.Equal(ArtifactStores.ResilientClientTries, warning.RefusedBefore);
        gate.Forward();
        Assert.False(await call);
    }

    /// <summary>Log lines as the store writes them, rendered, each with the gate's count of requests refused then.</summary>
    private sealed class LogLines(Func<int> refusedSoFar) : ILogger
    {
        private readonly List<(LogLevel Level, string Text, int RefusedBefore)> lines = [];

        public IReadOnlyList<(LogLevel Level, string Text, int RefusedBefore)> Lines { get { lock (lines) return [.. lines]; } }

        public async Task WaitForAsync(LogLevel level, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Lines.Any(l => l.Level == level))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {level} line within {timeout}");
                await Task.Delay(100);
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines) lines.Add((logLevel, formatter(state, exception), refusedSoFar()));
        }
    }

    /// <summary>
    /// A TCP port that forwards to a real endpoint while open and refuses connections while closed (its listener
    /// stopped), as a storage service that went down does. Connections made while open are cut when it closes.
    /// </summary>
    private sealed class TcpGate : IAsyncDisposable
    {
        private readonly string targetHost;
        private readonly int targetPort;
        private readonly List<TcpClient> connections = [];
        private TcpListener? listener;
        private CancellationTokenSource? accepting;

        public TcpGate(string targetHost, int targetPort)
        {
            this.targetHost = targetHost;
            this.targetPort = targetPort;
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Open();
        }

        public int Port { get; }

        /// <summary>Requests answered 503 since <see cref="Busy"/>: one per try of the client.</summary>
        public int Refused => refused;
        private int refused;
        private bool busy;

        /// <summary>Answers every request 503, counting them: a service that is up but cannot serve.</summary>
        public void Busy() => busy = true;

        /// <summary>Forwards connections again after <see cref="Busy"/>.</summary>
        public void Forward() => busy = false;

        public void Open()
        {
            listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Start();
            accepting = new CancellationTokenSource();
            _ = AcceptAsync(listener, accepting.Token);
        }

        public void Close()
        {
            accepting?.Cancel();
            listener?.Stop();
            listener = null;
            lock (connections)
            {
                foreach (var c in connections) c.Dispose();
                connections.Clear();
            }
        }

        private async Task AcceptAsync(TcpListener open, CancellationToken cancellationToken)
        {
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var client = await open.AcceptTcpClientAsync(cancellationToken);
                    if (busy)
                    {
                        _ = AnswerBusyAsync(client);
                        continue;
                    }
                    var server = new TcpClient();
                    await server.ConnectAsync(targetHost, targetPort, cancellationToken);
                    lock (connections) connections.AddRange([client, server]);
                    _ = PipeAsync(client.GetStream(), server.GetStream());
                    _ = PipeAsync(server.GetStream(), client.GetStream());
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Closed.
            }
        }

        /// <summary>
        /// Reads a request's head, counts it, and answers 503 Server Busy. Each try of the client is then one request
        /// here: a connection reset instead is one .NET's HTTP handler may open again up to three more times within the
        /// same try (CI saw 4 connections for the client's 2 tries; a reset after the request arrived made 4 per try).
        /// </summary>
        private async Task AnswerBusyAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    var stream = client.GetStream();
                    var head = new List<byte>();
                    var buffer = new byte[4096];
                    while (!EndsHead(head))
                    {
                        var read = await stream.ReadAsync(buffer, patience.Token);
                        if (read == 0) return;   // closed before a whole request: not a try
                        head.AddRange(buffer.AsSpan(0, read));
                    }
                    Interlocked.Increment(ref refused);   // before the answer, so a count read once the client has it includes it
                    await stream.WriteAsync("HTTP/1.1 503 Server Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), patience.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    // The client gave up on it first: not a try.
                }
            }
        }

        private static bool EndsHead(List<byte> received) =>
            received.Count >= 4 && received[^4] == '\r' && received[^3] == '\n' && received[^2] == '\r' && received[^1] == '\n';

        private static async Task PipeAsync(Stream from, Stream to)
        {
            try
            {
                await from.CopyToAsync(to);
                to.Close();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // One side went away (or the gate closed): the other side's next read or write sees it.
            }
        }

        public ValueTask DisposeAsync()
        {
            Close();
            return ValueTask.CompletedTask;
        }
    }
}
