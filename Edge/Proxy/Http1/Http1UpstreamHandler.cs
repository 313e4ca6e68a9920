using System.Collections.Concurrent;

namespace Turnpike.Edge.Proxy.Http1;

/// <summary>
/// Turnpike's own HTTP/1.1 client to plain-HTTP upstreams, under YARP's forwarder in place of
/// <see cref="SocketsHttpHandler"/> (issue 23: measured, the handler's own work was most of what the edge spent beyond
/// the least a forwarder can). A pool of keep-alive connections per host and port, each a socket and one buffer: a
/// request's head goes in one send, the answer's head is parsed from the buffer, its body is read straight into the
/// reader's memory. HTTP/2 and TLS go to the inner handler, as do requests that ask for a version above 1.1 exactly.
/// </summary>
internal sealed class Http1UpstreamHandler : DelegatingHandler
{
    private readonly ConcurrentDictionary<(string Host, int Port), Http1ConnectionPool> _pools = new();
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer _pruning;

    public Http1UpstreamHandler(HttpMessageHandler inner, TimeSpan connectTimeout, TimeSpan idleTimeout, TimeProvider time)
        : base(inner)
    {
        _connectTimeout = connectTimeout;
        _idleTimeout = idleTimeout;
        _pruning = time.CreateTimer(static state => ((Http1UpstreamHandler)state!).Prune(), this, idleTimeout / 2, idleTimeout / 2);
    }

    /// <summary>The idle connections pooled for <paramref name="host"/> and <paramref name="port"/> (for tests and diagnostics).</summary>
    public int IdleConnections(string host, int port) => _pools.TryGetValue((host, port), out var pool) ? pool.IdleCount : 0;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.RequestUri is { Scheme: "http" } && (request.Version.Major < 2 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrLower)
            ? SendHttp1Async(request, cancellationToken)
            : base.SendAsync(request, cancellationToken);

    private async Task<HttpResponseMessage> SendHttp1Async(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var pool = _pools.GetOrAdd((uri.DnsSafeHost, uri.Port), static (key, handler) => new Http1ConnectionPool(key.Host, key.Port, handler._connectTimeout, handler._idleTimeout), this);
        while (true)
        {
            var connection = pool.Take();
            if (connection is not null && request.Content is not null && connection.IsClosedByPeer())
            {
                // A request with a body cannot go again if the connection fails under it: check before sending on one.
                connection.Dispose();
                continue;
            }

            connection ??= await pool.ConnectAsync(cancellationToken);
            try
            {
                return await connection.SendAsync(request, cancellationToken);
            }
            catch (Http1StaleConnectionException)
            {
                // The upstream had closed the pooled connection: nothing reached it, the request goes on another.
            }
        }
    }

    private void Prune()
    {
        foreach (var pool in _pools.Values)
        {
            pool.Prune();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pruning.Dispose();
            foreach (var pool in _pools.Values)
            {
                pool.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
