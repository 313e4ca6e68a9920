using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Turnpike.Edge.Tls;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// Pooled HTTP clients to upstreams, one per <see cref="UpstreamClientKey"/> (connect timeout and TLS policy, both
/// properties of the connection handler), shared by all services and snapshots so keep-alive connections survive
/// route table changes that do not touch them. The snapshot builder says after each build which clients its
/// services use (<see cref="Keep"/>); the others are retired and disposed when their last request ends.
/// </summary>
internal sealed class UpstreamClients : IDisposable
{
    private readonly ConcurrentDictionary<UpstreamClientKey, UpstreamClient> _clients = new();
    private readonly Lock _creating = new();

    /// <summary>How many clients are current (for tests and diagnostics).</summary>
    public int Count => _clients.Count;

    /// <summary>The default TLS policy's client for a connect timeout.</summary>
    public UpstreamClient Get(int connectTimeoutMs) => Get(new UpstreamClientKey(connectTimeoutMs, UpstreamTlsPolicy.Default));

    /// <summary>The current client for <paramref name="key"/>, made when there is none.</summary>
    public UpstreamClient Get(UpstreamClientKey key)
    {
        if (_clients.TryGetValue(key, out var client))
        {
            return client;
        }

        lock (_creating)
        {
            // Made under a lock: two handlers for one key would leave one undisposed.
            return _clients.TryGetValue(key, out client) ? client : _clients[key] = new UpstreamClient(key, Create(key));
        }
    }

    /// <summary>
    /// A hold on <paramref name="client"/> for one request, or, when it was retired and disposed meanwhile (a request
    /// matched in an older snapshot that took long in its plugins), on the current client for the same key.
    /// </summary>
    public UpstreamClient Lease(UpstreamClient client)
    {
        while (!client.TryAcquire())
        {
            client = Get(client.Key);
        }

        return client;
    }

    /// <summary>Retires every client not in <paramref name="inUse"/>: it goes out of the pool and is disposed when its last request ends.</summary>
    public void Keep(IReadOnlySet<UpstreamClient> inUse)
    {
        foreach (var (key, client) in _clients)
        {
            if (!inUse.Contains(client) && _clients.TryRemove(new KeyValuePair<UpstreamClientKey, UpstreamClient>(key, client)))
            {
                client.Retire();
            }
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Retire();
        }

        _clients.Clear();
    }

    private static HttpMessageInvoker Create(UpstreamClientKey key)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromMilliseconds(key.ConnectTimeoutMs),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),

            // Header bytes pass through as they came (obs-text, RFC 9110 5.5), as nginx passes them: Kestrel reads them as
            // Latin-1, so writing Latin-1 gives the upstream the client's bytes, and the other way round for responses.
            // Without it a client's UTF-8 header made the forward throw: a 502, counted against the target.
            RequestHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
            ResponseHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
        };

        // SNI and the name verified are the Host the upstream gets (the service's host, a target's name, host_header,
        // or the client's with preserve_host), as Kong's proxy_ssl_name $upstream_host; an IP address sends no SNI.
        if (UpstreamTlsOptions.For(key.Tls) is { } tls)
        {
            handler.SslOptions = tls;
        }

        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
