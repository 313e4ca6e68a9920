using System.Collections.Concurrent;
using System.Net;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// Pooled HTTP clients to AWS (Lambda and STS), one per proxy and keep-alive setting, shared by every plugin
/// instance and table version that uses them, so a configuration change does not drop warm connections.
/// The settings come from admins, so the pool is small; it is capped all the same.
/// </summary>
internal sealed class AwsHttpClients : IDisposable
{
    private const int MaxClients = 64;

    private readonly ConcurrentDictionary<(string? Proxy, int KeepaliveMs), HttpMessageInvoker> _clients = new();

    public HttpMessageInvoker For(string? proxyUrl, int keepaliveMs)
    {
        var key = (proxyUrl, keepaliveMs);
        if (_clients.TryGetValue(key, out var client))
        {
            return client;
        }

        if (_clients.Count >= MaxClients)
        {
            // More distinct settings than any real configuration has: serve this one without pooling it.
            return Create(proxyUrl, keepaliveMs, pooled: false);
        }

        var created = Create(proxyUrl, keepaliveMs, pooled: true);
        var winner = _clients.GetOrAdd(key, created);
        if (!ReferenceEquals(winner, created))
        {
            created.Dispose();
        }

        return winner;
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
    }

    private static HttpMessageInvoker Create(string? proxyUrl, int keepaliveMs, bool pooled)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = proxyUrl is not null,
            Proxy = proxyUrl is null ? null : new WebProxy(proxyUrl),
            // Kong's keepalive: how long an idle connection to AWS is kept.
            PooledConnectionIdleTimeout = pooled ? TimeSpan.FromMilliseconds(Math.Max(1, keepaliveMs)) : TimeSpan.FromMilliseconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),

            // AWS endpoints are names whose addresses change: a connection is not reused for ever.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
