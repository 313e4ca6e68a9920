using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Observability.Logging;
using Turnpike.Edge.Proxy;

namespace Turnpike.Edge.Plugins.TcpLog;

/// <summary>Queues each request's record; the queue's loop writes batches as JSON lines on one kept-open connection, reconnecting after a failure.</summary>
internal sealed class TcpLogHandler : IPluginHandler, IDisposable
{
    private readonly TcpLogOptions _options;
    private readonly LogQueue _queue;
    private readonly TimeProvider _time;
    private TcpClient? _connection;
    private Stream? _stream;
    private long _lastUsed;

    public TcpLogHandler(TcpLogOptions options, LogMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _time = time;
        _queue = new LogQueue("tcp-log", LogDestination.Queue, SendAsync, metrics, logger, time);
    }

    public ValueTask<bool> OnRequestAsync(ProxyContext context) => ValueTask.FromResult(true);

    public void OnLog(ProxyContext context) =>
        _queue.Add(KongLogRecord.Serialize(context, _time.GetUtcNow().ToUnixTimeMilliseconds() - context.RequestLatencyMs));

    private async Task<bool> SendAsync(IReadOnlyList<byte[]> batch, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, _options.Timeout)), _time);
        try
        {
            var stream = await ConnectedAsync(timeout.Token);
            foreach (var entry in batch)
            {
                await stream.WriteAsync(entry, timeout.Token);
                await stream.WriteAsync("\n"u8.ToArray(), timeout.Token);
            }

            await stream.FlushAsync(timeout.Token);
            _lastUsed = _time.GetTimestamp();
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            Close();
            throw new IOException($"{_options.Host}:{_options.Port}: {ex.Message}", ex);
        }
    }

    private async Task<Stream> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_stream is not null && _time.GetElapsedTime(_lastUsed) < TimeSpan.FromMilliseconds(_options.Keepalive))
        {
            return _stream;
        }

        Close();
        _connection = new TcpClient { NoDelay = true };
        await _connection.ConnectAsync(_options.Host, _options.Port, cancellationToken);
        Stream stream = _connection.GetStream();
        if (_options.Tls)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _options.TlsSni ?? _options.Host }, cancellationToken);
            stream = tls;
        }

        return _stream = stream;
    }

    private void Close()
    {
        _stream?.Dispose();
        _connection?.Dispose();
        _stream = null;
        _connection = null;
    }

    /// <summary>Stops taking entries; the connection closes once what is queued was sent.</summary>
    public void Dispose()
    {
        _queue.Complete();
        _ = _queue.Drained.ContinueWith(static (_, handler) => ((TcpLogHandler)handler!).Close(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
