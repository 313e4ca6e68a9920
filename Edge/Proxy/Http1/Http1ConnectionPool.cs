using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>
/// The idle keep-alive connections to one upstream host and port, most recently used first (so the spare ones age out),
/// and how a new one is opened.
/// </summary>
internal sealed class Http1ConnectionPool(string host, int port, TimeSpan connectTimeout, TimeSpan idleTimeout) : IDisposable
{
    private readonly Stack<Http1Connection> _idle = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>How many connections wait in the pool (for tests and diagnostics).</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>The most recently used idle connection that has not been idle too long; null when there is none.</summary>
    public Http1Connection? Take()
    {
        lock (_lock)
        {
            while (_idle.TryPop(out var connection))
            {
                if (Stopwatch.GetElapsedTime(connection.IdleSince) < idleTimeout)
                {
                    return connection;
                }

                connection.Dispose();
            }
        }

        return null;
    }

    public void Return(Http1Connection connection)
    {
        connection.IdleSince = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (!_disposed)
            {
                _idle.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    /// <summary>Opens a connection, within the connect timeout (a timeout is a <see cref="TaskCanceledException"/>, as SocketsHttpHandler's).</summary>
    public async ValueTask<Http1Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(host, port), timeout.Token);
            return new Http1Connection(socket, this);
        }
        catch (Exception exception)
        {
            socket.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("Connecting to the upstream was canceled.", exception, cancellationToken);
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TaskCanceledException(
                    $"Connecting to {host}:{port} timed out after {connectTimeout.TotalMilliseconds} ms.",
                    new TimeoutException($"ConnectTimeout of {connectTimeout.TotalMilliseconds} ms elapsed."));
            }

            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{exception.Message} ({host}:{port})", exception);
        }
    }

    /// <summary>Closes the connections idle for longer than the idle timeout (the bottom of the stack: they went back first).</summary>
    public void Prune()
    {
        Http1Connection[] expired;
        lock (_lock)
        {
            var newestFirst = _idle.ToArray();
            var fresh = Array.FindIndex(newestFirst, c => Stopwatch.GetElapsedTime(c.IdleSince) >= idleTimeout);
            if (fresh < 0)
            {
                return;
            }

            expired = newestFirst[fresh..];
            _idle.Clear();
            for (var i = fresh - 1; i >= 0; i--)
            {
                _idle.Push(newestFirst[i]);
            }
        }

        foreach (var connection in expired)
        {
            connection.Dispose();
        }
    }

    public void Dispose()
    {
        Http1Connection[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }
}
