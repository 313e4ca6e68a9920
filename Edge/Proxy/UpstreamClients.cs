using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

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

        // Header bytes pass through as they came (obs-text, RFC 9110 5.5), as nginx passes them: Kestrel reads them as
        // Latin-1, so writing Latin-1 gives the upstream the client's bytes, and the other way round for responses.
        // Without it a client's UTF-8 header made the forward throw: a 502, counted against the target.
        RequestHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
        ResponseHeaderEncodingSelector = static (_, _) => Encoding.Latin1,
    }, disposeHandler: true));

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
