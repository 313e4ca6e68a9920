using Turnpike.Edge.Routing;

namespace Turnpike.Edge.Proxy;

/// <summary>
/// A request/response exchange with the upstream that a plugin runs itself instead of YARP's forwarding,
/// because it rewrites both ways (ai-proxy translates to and from an LLM provider's format, stream included).
/// It answers the client, errors included; the proxy meters the request afterwards as it does any other.
/// </summary>
internal interface IUpstreamExchange
{
    /// <param name="client">The service's pooled client, held for this request by the proxy.</param>
    Task SendAsync(ProxyContext context, CompiledService service, HttpMessageInvoker client);
}
