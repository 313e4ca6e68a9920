using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// Pooled HTTP clients to upstreams, one per connect timeout (a property of the connection handler),
/// shared by all services and snapshots so keep-alive connections survive route table changes.
/// </summary>
internal sealed class UpstreamClients : IDisposable
{
    private readonly ConcurrentDictionary<int, HttpMessageInvoker> _clients = new();

    public HttpMessageInvoker Get(int connectTimeoutMs) => _clients.GetOrAdd(connectTimeoutMs, static timeout => new HttpMessageInvoker(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromMilliseconds(timeout),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    }, disposeHandler: true));

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
